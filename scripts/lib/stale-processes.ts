import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

type Recorded = { pid: number; cmdline: string };

const cmdlineOf = (pid: number): string | null => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return null; // gone, or not Linux
  }
};

/**
 * The launcher's children live in their own process groups, so a launcher killed with SIGKILL
 * leaves them running. Their pids and command lines are recorded; the next start stops whichever
 * of them still runs (and only if the pid still runs the same command).
 */
export async function stopRecordedProcesses(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  let recorded: Recorded[] = [];
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8')) as Recorded[];
  } catch {
    /* unreadable: nothing we can safely stop */
  }
  let stopped = 0;
  for (const { pid, cmdline } of recorded) {
    if (cmdlineOf(pid) !== cmdline) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && cmdlineOf(pid) === cmdline) await new Promise((r) => setTimeout(r, 100));
    if (cmdlineOf(pid) === cmdline) process.kill(pid, 'SIGKILL');
    stopped++;
  }
  rmSync(file, { force: true });
  return stopped;
}

export function recordProcesses(file: string, pids: number[]) {
  const recorded = pids.map((pid) => ({ pid, cmdline: cmdlineOf(pid) })).filter((r): r is Recorded => r.cmdline !== null);
  writeFileSync(file, JSON.stringify(recorded));
}
