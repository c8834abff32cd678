// What each process of the stack costs, read from /proc: the bench says where CPU and memory go
// (worker, API, Temporal server, PostgreSQL) instead of guessing.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function stat(pid: number): { ppid: number; cpuTicks: number } | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    // utime + stime, plus the reaped children's cutime + cstime (PostgreSQL's exited backends).
    return { ppid: Number(fields[1]), cpuTicks: [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) };
  } catch {
    return null;
  }
}

/** The process and all its descendants (PostgreSQL's backends, a wrapper's real binary). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) parents.set(s.ppid, [...(parents.get(s.ppid) ?? []), pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds used so far by a process and its descendants. */
export function cpuSeconds(root: number, alone = false): number {
  return (alone ? [root] : processTree(root)).reduce((sum, pid) => sum + (stat(pid)?.cpuTicks ?? 0), 0) / TICKS_PER_SECOND;
}

/** Resident memory of one process in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** `alone`: the process without its children (the bench itself spawned the whole stack). */
export type CpuProbe = { name: string; pid: () => number; alone?: boolean };

/** CPU seconds each named process tree spent while `fn` ran. */
export async function measureCpu<T>(probes: CpuProbe[], fn: () => Promise<T>): Promise<{ value: T; cpu: Record<string, number> }> {
  const before = probes.map((p) => cpuSeconds(p.pid(), p.alone));
  const value = await fn();
  const cpu = Object.fromEntries(probes.map((p, i) => [p.name, +(cpuSeconds(p.pid(), p.alone) - before[i]!).toFixed(1)]));
  return { value, cpu };
}
