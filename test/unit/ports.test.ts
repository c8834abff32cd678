import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, isPortFree } from '../../scripts/lib/children.js';
import { choosePort, PortTakenError, type PortSetting } from '../../scripts/lib/ports.js';

const servers: net.Server[] = [];
/** Holds a port the way another program would: a plain listener on every address. */
const occupy = async (port: number) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, resolve));
  servers.push(server);
};
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const setting = (fallback: number, explicit?: string): PortSetting => ({ variable: 'TEST_PORT', what: 'test service', fallback, explicit });

describe('choosePort', () => {
  it('uses the default when it is free', async () => {
    const port = await freePort();
    expect(await choosePort(setting(port))).toBe(port);
  });

  it('moves a taken default to a free port and says so', async () => {
    const port = await freePort();
    await occupy(port);
    const said: string[] = [];
    const chosen = await choosePort(setting(port), (line) => said.push(line));
    expect(chosen).not.toBe(port);
    expect(await isPortFree(chosen)).toBe(true);
    expect(said.join('\n')).toContain(`port ${port} (test service) is taken; using ${chosen}`);
    expect(said.join('\n')).toContain('TEST_PORT');
  });

  it('honours a port set explicitly, and refuses it with a clear message when taken', async () => {
    const port = await freePort();
    expect(await choosePort(setting(1, String(port)))).toBe(port);
    await occupy(port);
    const error = await choosePort(setting(1, String(port))).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PortTakenError);
    expect((error as Error).message).toContain(`TEST_PORT=${port} is set, but another process already listens on port ${port}`);
  });

  it('refuses a value that is not a port', async () => {
    await expect(choosePort(setting(3000, 'http'))).rejects.toThrow(/TEST_PORT: must be a port number/);
    await expect(choosePort(setting(3000, '70000'))).rejects.toThrow(/TEST_PORT/);
  });

  it('sees a listener on 127.0.0.1 from a check on every address (the API binds 0.0.0.0)', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    servers.push(server);
    expect(await isPortFree(port, '0.0.0.0')).toBe(false);
  });
});
