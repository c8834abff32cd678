import { freePort, isPortFree } from './children.js';

/** A port `npm start` binds: its variable, what listens there, its default, and the value the user set. */
export type PortSetting = { variable: string; what: string; fallback: number; explicit: string | undefined; host?: string };

/** How many ports after a taken default are tried before any free port will do: nearby numbers are easier to remember. */
const NEARBY = 20;

export class PortTakenError extends Error {
  constructor(setting: PortSetting, port: number) {
    super(
      `${setting.variable}=${port} is set, but another process already listens on port ${port} (${setting.what}). ` +
        `Stop that process, set ${setting.variable} to a free port, or unset ${setting.variable} to let npm start pick one.`,
    );
    this.name = 'PortTakenError';
  }
}

function explicitPort(setting: PortSetting): number | null {
  const raw = setting.explicit?.trim();
  if (!raw) return null;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${setting.variable}: must be a port number (1-65535), got "${raw}"`);
  return port;
}

/**
 * The port a service of `npm start` should bind. One the user set is honoured or refused (taking
 * another would break whatever expects it there); a taken default — a second clone, another
 * stack — gives way to a nearby free port, which `log` reports.
 */
export async function choosePort(setting: PortSetting, log: (line: string) => void = () => undefined): Promise<number> {
  const host = setting.host ?? '127.0.0.1';
  const explicit = explicitPort(setting);
  if (explicit !== null) {
    if (!(await isPortFree(explicit, host))) throw new PortTakenError(setting, explicit);
    return explicit;
  }
  if (await isPortFree(setting.fallback, host)) return setting.fallback;
  let port = 0;
  for (let p = setting.fallback + 1; p <= Math.min(setting.fallback + NEARBY, 65535) && !port; p++) {
    if (await isPortFree(p, host)) port = p;
  }
  port ||= await freePort();
  log(`port ${setting.fallback} (${setting.what}) is taken; using ${port} instead (set ${setting.variable} to choose)`);
  return port;
}
