import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type State, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { sendTaskQueue } from '../workflows/contract.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** The two Temporal workers one Sequent worker process runs, handled as one. */
export type SequentWorker = {
  run(): Promise<void>;
  runUntil<T>(work: Promise<T> | (() => Promise<T>)): Promise<T>;
  shutdown(): void;
  getState(): State;
};

/**
 * Builds (but does not run) the workers: one for workflows and the database activities on the
 * main task queue, and one for `sendStep` alone on the send queue, where the server enforces the
 * provider's rate limit across every worker process (`maxTaskQueueActivitiesPerSecond`).
 * Tests pass their own activities and connection.
 */
export async function buildWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Partial<Activities>;
  /** Provider requests per second over all workers; unset means unlimited. */
  sendRatePerSecond?: number | undefined;
  /** The sticky cache's size (WORKER_CACHED_WORKFLOWS); tests keep the default. */
  maxCachedWorkflows?: number;
  extra?: Partial<WorkerOptions>;
}): Promise<SequentWorker> {
  const { sendStep, ...rest } = options.activities;
  const main = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: rest,
    // Enrollments sleep for days: keeping them cached buys nothing and costs ~0.2 MiB each (a
    // cache of 1,000 held ~220 MiB more than one of 100). A workflow that wakes up replays its
    // short history instead.
    maxCachedWorkflows: options.maxCachedWorkflows ?? 250,
    ...options.extra,
  });
  const send = sendStep
    ? await Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: sendTaskQueue(options.taskQueue),
        activities: { sendStep },
        ...(options.sendRatePerSecond ? { maxTaskQueueActivitiesPerSecond: options.sendRatePerSecond } : {}),
      })
    : null;
  const workers = send ? [main, send] : [main];

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
