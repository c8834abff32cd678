import { fileURLToPath } from 'node:url';
import { activityInfo } from '@temporalio/activity';
import proto from '@temporalio/proto';
import { NativeConnection, Worker, type InjectedSinks } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/worker/build-worker.js';
import { SWEEPS_PER_RUN } from '../../src/workflows/campaign-fanout-workflow.js';
import { syncSignal, type SyncRequest } from '../../src/workflows/contract.js';
import { campaignFanoutWorkflow } from '../../src/workflows/index.js';
import { testDeps } from '../helpers/deps.js';
import type { HandOverSinks } from '../helpers/hand-over-interceptor.js';

const INTERCEPTOR = fileURLToPath(new URL('../helpers/hand-over-interceptor.ts', import.meta.url));
const UNHANDLED_COMMAND = proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND;

/**
 * Issue 24: a fan-out that keeps being asked never ends, so it must hand over to a fresh run
 * (continue-as-new) with a bounded history and lose no request on the way. Each sweep here makes
 * the next request itself; at each hand-over a probe lands at another moment: during the run's last
 * sweep (then the only request, so the next run's first sweep is its own), while the task that
 * continues as new is in flight, a little after. Probes have the shape older clients sent
 * (`signalAll: true`), which the handler takes as any request.
 */
describe('the campaign fan-out continues as new', () => {
  const taskQueue = `fanout-can-${process.pid}`;
  const workflowId = `campaign-fanout-can-${Math.random().toString(36).slice(2, 8)}`;
  const TOTAL = 3 * SWEEPS_PER_RUN + 10;
  const sweeps: { runId: string; input: unknown }[] = [];
  const probes: Promise<void>[] = [];
  const request = (payload: SyncRequest = {}) => testDeps().temporal.workflow.getHandle(workflowId).signal(syncSignal, payload);
  const probe = () => request({ signalAll: true });
  const later = (ms: number) => new Promise<void>((resolve, reject) => setTimeout(() => probe().then(resolve, reject), ms));

  async function syncCampaign(input: unknown) {
    sweeps.push({ runId: activityInfo().workflowExecution?.runId ?? '', input });
    const n = sweeps.length;
    // The next sweep's request, made while this one runs; at the first run's last, a probe alone.
    if (n === SWEEPS_PER_RUN) await probe();
    else if (n < TOTAL) await request();
    if (n === 3 * SWEEPS_PER_RUN) probes.push(later(30));
    return { started: 0, signalled: 0 };
  }

  // The worker answers the task that continues as new only once this returns: the probe lands
  // while that answer is pending, so the server refuses it and the run must take the probe along.
  const probed = new Set<string>();
  const sinks: InjectedSinks<HandOverSinks> = {
    handOver: {
      starting: {
        fn: async ({ runId }) => {
          if (sweeps.length !== 2 * SWEEPS_PER_RUN || probed.has(runId)) return;
          probed.add(runId);
          await probe();
        },
      },
    },
  };

  let worker: Worker;
  let running: Promise<void>;
  let connection: NativeConnection;
  beforeAll(async () => {
    connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const interceptors = { workflowModules: [INTERCEPTOR] };
    worker = await Worker.create({ connection, taskQueue, workflowsPath: WORKFLOWS_PATH, activities: { syncCampaign }, interceptors, sinks });
    running = worker.run();
  });
  afterAll(async () => {
    worker.shutdown();
    await running;
    await connection.close();
  });

  it(`hands over every ${SWEEPS_PER_RUN} sweeps, carrying the pending request and any that lands meanwhile`, async () => {
    const { temporal } = testDeps();
    const args: [{ campaignId: string }] = [{ campaignId: 'camp_can' }];
    const handle = await temporal.workflow.signalWithStart(campaignFanoutWorkflow, { workflowId, taskQueue, args, signal: syncSignal, signalArgs: [{}] });
    await handle.result(); // follows the runs to the last
    await Promise.all(probes);

    const runs = [...new Set(sweeps.map((s) => s.runId))];
    expect(runs).toHaveLength(4);
    expect(runs.slice(0, 3).map((runId) => sweeps.filter((s) => s.runId === runId).length)).toEqual(Array(3).fill(SWEEPS_PER_RUN));
    // No request lost: the chain of requests went on through every hand-over; the first probe, the
    // only request at the first hand-over, was carried to the next run's first sweep.
    expect(sweeps.length).toBeGreaterThanOrEqual(TOTAL);
    expect(sweeps[SWEEPS_PER_RUN]!.runId).toBe(runs[1]);
    expect(sweeps[2 * SWEEPS_PER_RUN]!.runId).toBe(runs[2]);
    // The sweep is told the campaign and nothing else (`signalAll` went, issue 25).
    expect(new Set(sweeps.map((s) => JSON.stringify(s.input)))).toEqual(new Set([JSON.stringify({ campaignId: 'camp_can' })]));
    // The second probe did land mid hand-over: the server refused that run's first attempt at it.
    const second = await temporal.workflow.getHandle(workflowId, runs[1]).fetchHistory();
    expect(second.events!.filter((e) => e.workflowTaskFailedEventAttributes?.cause === UNHANDLED_COMMAND)).toHaveLength(1);
    const lengths = await Promise.all(runs.map(async (runId) => (await temporal.workflow.getHandle(workflowId, runId).describe()).historyLength));
    expect(Math.max(...lengths)).toBeLessThan(1_000);
  }, 180_000);
});
