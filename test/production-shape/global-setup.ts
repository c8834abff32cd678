import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startProductionTemporal, type ProductionTemporal } from '../../scripts/lib/temporal-server.js';

const log = (line: string) => process.stdout.write(`[production shape] ${line}\n`);
let temporal: ProductionTemporal | undefined;
let dir: string | undefined;

/**
 * The production Temporal server on PostgreSQL (persistence and SQL visibility), set up as
 * docker-compose.yml sets it up; the fault suite's stacks then run their worker and API processes
 * against it instead of a dev server.
 */
export async function setup(project: TestProject) {
  const timed = async <T>(what: string, step: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await step();
    log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  dir = mkdtempSync(path.join(tmpdir(), 'sequent-production-shape-'));
  chmodSync(dir, 0o755);
  try {
    temporal = await startProductionTemporal({ dir, log, timed, quiet: !process.env.SHOW_TEMPORAL_LOG });
    project.provide('productionTemporal', temporal.address);
    project.provide('productionTemporalDb', temporal.databaseUrl);
  } catch (err) {
    await teardown();
    throw err;
  }
}

export async function teardown() {
  await temporal?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
