import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';

async function inParallel(count: number, limit: number, fn: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < count) await fn(next++);
  }));
}

/** Starts `count` no-op workflows straight through the client, `concurrency` at a time (as the fan-out does). */
export async function rawStartRate(client: Client, address: string, count: number, concurrency: number) {
  return withNoopWorker(address, 'bench-raw-start', async (taskQueue) => {
    const t0 = performance.now();
    const tag = Date.now();
    await inParallel(count, concurrency, (i) => client.workflow.start('noopWorkflow', { taskQueue, workflowId: `raw-${tag}-${i}` }));
    return count / ((performance.now() - t0) / 1000);
  });
}

/**
 * Runs `count` workflows of one no-op activity each, from the first start until the last activity
 * ran (the moment Sequent's counterpart hands its mail to the provider).
 */
export async function rawActivityRate(client: Client, address: string, count: number, concurrency: number) {
  let ran = 0;
  return withNoopWorker(
    address,
    'bench-raw-activity',
    async (taskQueue) => {
      const t0 = performance.now();
      const tag = Date.now();
      await inParallel(count, concurrency, (i) => client.workflow.start('noopActivityWorkflow', { taskQueue, workflowId: `rawact-${tag}-${i}` }));
      while (ran < count) await new Promise((r) => setTimeout(r, 20));
      return count / ((performance.now() - t0) / 1000);
    },
    async () => {
      ran++;
    },
  );
}

async function withNoopWorker<T>(address: string, taskQueue: string, fn: (taskQueue: string) => Promise<T>, noop: () => Promise<void> = async () => {}): Promise<T> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./noop-workflows.ts', import.meta.url)),
    activities: { noop },
  });
  try {
    return await worker.runUntil(fn(taskQueue));
  } finally {
    await connection.close();
  }
}
