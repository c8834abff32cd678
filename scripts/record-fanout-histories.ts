// Records the campaign fan-out workflow's event histories for a few fixed scenarios into
// test/fixtures/histories/<label>/, once per released version of that workflow:
//   node --import tsx scripts/record-fanout-histories.ts fanout-v<n>
// test/workflows/replay.test.ts replays them against the current code (as record-histories.ts
// does for the enrollment workflow), so a change without its patch fails CI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../src/worker/build-worker.js';
import { syncSignal, type SyncRequest } from '../src/workflows/contract.js';
import { campaignFanoutWorkflow } from '../src/workflows/index.js';
import { obtainTemporalCli, obtainTestServer } from './lib/temporal-tools.js';

const label = process.argv[2];
if (!label || !/^fanout-[\w.-]+$/.test(label)) throw new Error('usage: record-fanout-histories.ts fanout-<label>');
const out = path.resolve(import.meta.dirname, '../test/fixtures/histories', label);
mkdirSync(out, { recursive: true });

const cli = await obtainTemporalCli(() => undefined);
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: await obtainTestServer(() => undefined) } },
});

type Scenario = {
  /** Started by signal-with-start (as the API does) or, as the oldest callers did, without a request. */
  withRequest: boolean;
  /** Requests the n-th sweep (1-based) makes while it runs, as an API call landing mid-sweep would. */
  during: (sweep: number) => SyncRequest[];
};
const scenarios: Record<string, Scenario> = {
  // Two requests during the first sweep coalesce into one more.
  'fanout-coalesced': { withRequest: true, during: (n) => (n === 1 ? [{}, {}] : []) },
  // Nothing asked: the run waits its 10 s and ends.
  'fanout-no-request': { withRequest: false, during: () => [] },
  // A request during each of the first 59 sweeps: 60 in a row, past the hand-over bound.
  'fanout-many-sweeps': { withRequest: true, during: (n) => (n < 60 ? [{}] : []) },
};

let n = 0;
for (const [name, scenario] of Object.entries(scenarios)) {
  const [taskQueue, workflowId] = [`record-fanout-${++n}`, `campaign-fanout-${name}`];
  let sweeps = 0;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: {
      async syncCampaign() {
        for (const request of scenario.during(++sweeps)) await env.client.workflow.getHandle(workflowId).signal(syncSignal, request);
        return { started: 0, signalled: 0 };
      },
    },
  });
  const options = { taskQueue, workflowId, args: [{ campaignId: `camp_${name}` }] as [{ campaignId: string }] };
  const runId = await worker.runUntil(async () => {
    const handle = scenario.withRequest
      ? await env.client.workflow.signalWithStart(campaignFanoutWorkflow, { ...options, signal: syncSignal, signalArgs: [{}] })
      : await env.client.workflow.start(campaignFanoutWorkflow, options);
    await handle.result();
    return 'signaledRunId' in handle ? handle.signaledRunId : handle.firstExecutionRunId;
  });
  // The first run: where a later version continues as new, that hand-over is what replays.
  const args = ['workflow', 'show', '--address', env.address, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'];
  const json = execFileSync(cli, args, { encoding: 'utf8' });
  writeFileSync(path.join(out, `${name}.json`), json);
  console.log(`recorded ${label}/${name}: ${(JSON.parse(json) as { events: unknown[] }).events.length} events, ${sweeps} sweeps`);
}
await env.teardown();
