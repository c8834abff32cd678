// Records the enrollment workflow's event histories for a few fixed scenarios into
// test/fixtures/histories/<label>/, run once per released workflow version:
//   node --import tsx scripts/record-histories.ts <label>
// test/workflows/replay.test.ts replays every recorded history against the current code, so a
// change that would break workflows already running in production (a missing patch) fails CI.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure, activityInfo } from '@temporalio/activity';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ClaimResult, SendStepResult } from '../src/domain/step-result.js';
import { buildWorker } from '../src/worker/build-worker.js';
import { pauseSignal, replySignal, resumeSignal, SEARCH_ATTRIBUTES, wakeSignal } from '../src/workflows/contract.js';
import { enrollmentWorkflow } from '../src/workflows/index.js';
import { obtainTemporalCli, obtainTestServer } from './lib/temporal-tools.js';

const label = process.argv[2];
if (!label || !/^[\w.-]+$/.test(label)) throw new Error('usage: record-histories.ts <label>');
const out = path.resolve(import.meta.dirname, '../test/fixtures/histories', label);
mkdirSync(out, { recursive: true });

const cli = await obtainTemporalCli(() => undefined);
const env = await TestWorkflowEnvironment.createTimeSkipping({
  server: { executable: { type: 'existing-path', path: await obtainTestServer(() => undefined) } },
});
await env.connection.operatorService.addSearchAttributes({
  namespace: 'default',
  searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
});

type Scenario = {
  delaysDays: number[];
  failingAttempts?: number;
  planWithStart?: boolean;
  /** What the claims answer before they go ahead, in order. */
  claims?: ClaimResult[];
  drive: (handle: Awaited<ReturnType<typeof env.client.workflow.start>>) => Promise<void>;
};
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const scenarios: Record<string, Scenario> = {
  'two-steps-completed': { delaysDays: [0, 2], drive: async () => {} },
  // Started by the fan-out with the plan (workers from before the plan existed ignore it).
  'plan-with-start': { delaysDays: [1, 2], planWithStart: true, drive: async () => {} },
  'reply-during-delay': {
    delaysDays: [0, 3],
    drive: async (handle) => {
      await env.sleep('1 day');
      await handle.signal(replySignal, {});
    },
  },
  // A pause arrives while step 1 is between provider retries; step 2 waits for the resume.
  'pause-while-sending-then-resume': {
    delaysDays: [0, 0],
    failingAttempts: 2,
    drive: async (handle) => {
      await wait(2_000);
      await handle.signal(pauseSignal);
      await env.sleep('1 hour');
      await handle.signal(resumeSignal);
    },
  },
  // The claim defers for capacity; a wake (a sender fixed or added) cuts the wait short.
  'capacity-deferral-then-wake': {
    delaysDays: [0],
    claims: [{ kind: 'deferred', reason: 'capacity', until: '2099-01-01T00:00:00.000Z' }],
    drive: async (handle) => {
      await wait(2_000);
      await handle.signal(wakeSignal);
    },
  },
  // The database says the campaign is paused; the resume lets the step go.
  'campaign-paused-at-claim-then-resume': {
    delaysDays: [0],
    claims: [{ kind: 'deferred', reason: 'campaign_paused', until: null }],
    drive: async (handle) => {
      await wait(2_000);
      await handle.signal(resumeSignal);
    },
  },
};

let n = 0;
for (const [name, scenario] of Object.entries(scenarios)) {
  const taskQueue = `record-${++n}`;
  let attempts = 0;
  const worker = await buildWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: {
      async claimStep({ stepNumber }): Promise<ClaimResult> {
        return scenario.claims?.shift() ?? { kind: 'attempt', messageId: `msg_${stepNumber}` };
      },
      async deliverStep({ stepNumber }): Promise<SendStepResult> {
        if (++attempts <= (scenario.failingAttempts ?? 0)) throw ApplicationFailure.retryable('provider unavailable', 'RetryableMailError');
        const sentAt = new Date(activityInfo().currentAttemptScheduledTimestampMs).toISOString();
        return { kind: 'sent', messageId: `msg_${stepNumber}`, sentAt, ...(stepNumber === scenario.delaysDays.length ? { completed: true } : {}) };
      },
      async loadEnrollmentPlan() {
        const anchorAt = new Date(activityInfo().currentAttemptScheduledTimestampMs).toISOString();
        return { delaysDays: scenario.delaysDays, sentSteps: 0, anchorAt, finished: false };
      },
      async finishEnrollment() {},
    },
  });
  const workflowId = `enrollment-${name}`;
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(enrollmentWorkflow, {
      taskQueue,
      workflowId,
      args: [
        {
          enrollmentId: `enr_${name}`,
          campaignId: 'camp_1',
          workspaceId: 'ws_1',
          leadEmail: 'jane@acme.com',
          ...(scenario.planWithStart
            ? { plan: { delaysDays: scenario.delaysDays, sentSteps: 0, anchorAt: new Date(await env.currentTimeMs()).toISOString(), finished: false } }
            : {}),
        },
      ],
    });
    await scenario.drive(handle);
    await handle.result();
  });
  // The CLI writes the same JSON the Temporal UI downloads, which Worker.runReplayHistory reads.
  const json = execFileSync(cli, ['workflow', 'show', '--address', env.address, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' });
  writeFileSync(path.join(out, `${name}.json`), json);
  console.log(`recorded ${label}/${name}: ${(JSON.parse(json) as { events: unknown[] }).events.length} events`);
}
await env.teardown();
