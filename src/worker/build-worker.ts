import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { campaignTaskQueue, sendTaskQueue, webhookTaskQueue } from '../workflows/contract.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Work one worker process runs at once, sized to its database pool: every provider call holds a
 * connection for its length (deliverStep), every claim for its transaction, and other activities
 * use one now and then. At Resend's latency, 6 calls at once is far more than its rate allows.
 * A webhook attempt mostly waits on its receiver (up to 10 s) and holds a connection only for a
 * read before and a write after, so 16 share 4 connections' worth of the pool: a slow receiver
 * then delays its own deliveries, not everyone's. Two campaigns' sweeps run at once on theirs.
 */
export const CONCURRENCY = { sends: 6, claims: 6, activities: 10, webhooks: 16, campaigns: 2 } as const;
const WEBHOOK_CONNECTIONS = 4;
export const WORKER_DB_POOL = CONCURRENCY.sends + CONCURRENCY.claims + CONCURRENCY.activities + WEBHOOK_CONNECTIONS + CONCURRENCY.campaigns;

/**
 * The send queue's server-side rate over the provider's limit: it only meters work out to the
 * workers (so a backlog of thousands does not all wait on the limit at once); the limit is held
 * per call in PostgreSQL, and a server-side rate equal to it would leave slots unused.
 */
export const SERVER_RATE_HEADROOM = 1.5;

/** Sequent's workflow code as one bundle, for workers and replays. */
export const bundleWorkflows = () => bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: Runtime.instance().logger });

/** The Temporal workers one Sequent worker process runs, handled as one. */
export type SequentWorker = {
  run(): Promise<void>;
  runUntil<T>(work: Promise<T> | (() => Promise<T>)): Promise<T>;
  shutdown(): void;
  getState(): State;
};

/**
 * Builds (but does not run) the workers: one for workflows and the database activities on the
 * main task queue; one for the provider calls alone (`deliverStep`, and `sendStep` for workflows
 * begun on older code) on the send queue, which the server hands out a little faster than the
 * provider's rate limit (SERVER_RATE_HEADROOM) while each call takes its slot from PostgreSQL
 * (src/delivery/provider-rate.ts), the limit itself, for every worker process; one for webhook deliveries
 * on their own queue, so an event reaches its receiver in seconds even while thousands of
 * enrollment tasks wait on the main queue; and one for campaigns' fan-outs, for the same reason:
 * a pause comes into line in seconds after any import. All share one workflow bundle.
 * Tests pass their own activities and connection.
 */
export async function buildWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Partial<Activities>;
  /** Provider requests per second over all workers; unset means unlimited. */
  sendRatePerSecond?: number | undefined;
  /** Overrides CONCURRENCY (tests share one small pool between the API and the worker). */
  concurrency?: { sends: number; claims: number; activities: number; webhooks?: number; campaigns?: number };
  /** The sticky cache's size (WORKER_CACHED_WORKFLOWS); tests keep the default. */
  maxCachedWorkflows?: number;
  extra?: Partial<WorkerOptions>;
  /** Workflow code bundled beforehand (tests bundle it once per run); bundled here when absent. */
  workflowBundle?: { codePath: string };
}): Promise<SequentWorker> {
  // `sendStep`: legacy, for enrollments begun before claims and deliveries were split; see its definition.
  const { sendStep, deliverStep, ...rest } = options.activities;
  const concurrency = options.concurrency ?? CONCURRENCY;
  const sendActivities = { ...(deliverStep ? { deliverStep } : {}), ...(sendStep ? { sendStep } : {}) };
  const workflowBundle = options.workflowBundle ?? (await bundleWorkflows());
  const base = { connection: options.connection, namespace: options.namespace, workflowBundle };
  const main = await Worker.create({
    ...base,
    taskQueue: options.taskQueue,
    // Keeps deliverWebhook and syncCampaign too, for workflows begun on the main queue by older code
    // (before the webhook queue, 2026-12-02, 2c2d230, and the campaign queue, 2026-12-02, 2a29e80).
    // Each goes from here once `scripts/legacy-open.ts` counts 0 open webhook deliveries, or
    // campaign fan-outs, on the main queue.
    activities: rest,
    // Enrollments sleep for days: keeping them cached buys nothing and costs ~0.2 MiB each (a
    // cache of 1,000 held ~220 MiB more than one of 100). A workflow that wakes up replays its
    // short history instead.
    maxCachedWorkflows: options.maxCachedWorkflows ?? 250,
    maxConcurrentLocalActivityExecutions: concurrency.claims,
    maxConcurrentActivityTaskExecutions: concurrency.activities,
    ...options.extra,
  });
  const send = Object.keys(sendActivities).length
    ? await Worker.create({
        ...base,
        taskQueue: sendTaskQueue(options.taskQueue),
        activities: sendActivities,
        maxConcurrentActivityTaskExecutions: concurrency.sends,
        ...(options.sendRatePerSecond ? { maxTaskQueueActivitiesPerSecond: options.sendRatePerSecond * SERVER_RATE_HEADROOM } : {}),
      })
    : null;
  // A queue of its own for work that must not wait behind enrollment tasks; built only when its
  // activity is given (tests with fake activities leave it out).
  const ownQueue = (taskQueue: string, activities: Partial<Activities>, slots: number, cached: number) =>
    Object.values(activities).some(Boolean)
      ? Worker.create({ ...base, taskQueue, activities, maxConcurrentActivityTaskExecutions: slots, maxCachedWorkflows: cached })
      : null;
  const webhooks = await ownQueue(webhookTaskQueue(options.taskQueue), { deliverWebhook: rest.deliverWebhook }, concurrency.webhooks ?? CONCURRENCY.webhooks, 100);
  const campaigns = await ownQueue(campaignTaskQueue(options.taskQueue), { syncCampaign: rest.syncCampaign }, concurrency.campaigns ?? CONCURRENCY.campaigns, 50);
  const workers = [main, send, webhooks, campaigns].filter((w): w is Worker => w !== null);

  const shutdown = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  const run = async () => {
    const runs = workers.map((w) => w.run());
    // One worker failing takes the other down with it, so the process exits instead of half-working.
    const stopOthersOnFailure = (r: Promise<void>) =>
      r.catch((err: unknown) => {
        shutdown();
        throw err;
      });
    try {
      await Promise.all(runs.map(stopOthersOnFailure));
    } finally {
      await Promise.allSettled(runs);
    }
  };
  return {
    run,
    shutdown,
    getState: () => main.getState(),
    async runUntil<T>(work: Promise<T> | (() => Promise<T>)) {
      const running = run();
      try {
        return await Promise.race([typeof work === 'function' ? work() : work, running.then(() => Promise.reject(new Error('worker stopped early')))]);
      } finally {
        shutdown();
        await running.catch(() => undefined);
      }
    },
  };
}
