import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { testWorkflowBundle } from '../helpers/worker.js';

// Histories recorded from every released version of the enrollment workflow (v<n>/, see
// scripts/record-histories.ts) and of the campaign fan-out (fanout-v<n>/, see
// scripts/record-fanout-histories.ts). Workflows started by an older worker are still running in
// production when a new one deploys; the new code must replay their histories command for command.
const root = path.resolve(import.meta.dirname, '../fixtures/histories');
const histories = readdirSync(root).flatMap((version) =>
  readdirSync(path.join(root, version)).map((file) => ({ name: `${version}/${file}`, file: path.join(root, version, file) })),
);

describe('replaying recorded histories with the current workflow code', () => {
  it('has histories of more than one version to replay', () => {
    expect(new Set(histories.map((h) => h.name.split('/')[0])).size).toBeGreaterThanOrEqual(2);
  });

  it('replays every one without a nondeterminism error', async () => {
    const failures: string[] = [];
    let replayed = 0;
    const inputs = histories.map(({ name, file }) => ({ workflowId: name, history: JSON.parse(readFileSync(file, 'utf8')) }));
    for await (const result of Worker.runReplayHistories({ workflowBundle: testWorkflowBundle() }, inputs)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  });
});
