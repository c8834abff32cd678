import { NativeConnection } from '@temporalio/worker';
import { afterAll, inject } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { createLogger } from '../../src/logger.js';
import { createLocalTransport } from '../../src/mail/local-transport.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { buildWorker } from '../../src/worker/build-worker.js';
import { testDeps } from './deps.js';
import { temporalOrchestrator } from '../../src/workflows/client.js';

/** The workflow code global setup bundled once for the run (each file would take 1–2 s to bundle it again). */
export const testWorkflowBundle = () => ({ codePath: inject('workflowBundlePath') });

/**
 * A real worker with the real activities on the test file's task queue, polling the dev server
 * until the file's tests end. The API built by testDeps() starts workflows on the same queue.
 */
export async function startTestWorker(options: { mailer?: Mailer; sendRatePerSecond?: number } = {}) {
  const deps = testDeps();
  const taskQueue = deps.config.TEMPORAL_TASK_QUEUE;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const orchestrator = temporalOrchestrator({ client: deps.temporal, taskQueue });
  const worker = await buildWorker({
    workflowBundle: testWorkflowBundle(),
    connection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    taskQueue,
    // The file's one pool (testDeps) serves the API too: keep the worker's share well below its size.
    concurrency: { sends: 3, claims: 3, activities: 10, webhooks: 2 },
    sendRatePerSecond: options.sendRatePerSecond,
    activities: activitiesFromConfig(deps.config, {
      db: deps.db,
      logger: createLogger('silent', 'worker'),
      client: deps.temporal,
      mailer: options.mailer ?? createLocalTransport(),
    }),
  });
  const running = worker.run();
  const stop = async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await connection.close();
  };
  afterAll(stop);
  return { worker, taskQueue, orchestrator, stop };
}

/** Polls until `check` returns a truthy value (workflows run asynchronously to the API). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${label} not reached within ${timeoutMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
