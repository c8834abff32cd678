import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';
import { startStack, type Stack } from '../faults/stack.js';

/**
 * The fault suite's stack (worker and API processes) against the production Temporal server the
 * global setup started, and a Temporal client of the test's own to ask visibility what ops would.
 */
export function useProductionStack(name: string) {
  const ctx = {} as { stack: Stack; temporal: Client };
  beforeAll(async () => {
    ctx.stack = await startStack({ name, sendRateLimit: 50 });
    await Promise.all([ctx.stack.startWorker(), ctx.stack.startApi()]);
    ctx.temporal = new Client({ connection: await Connection.connect({ address: inject('productionTemporal')! }), namespace: 'default' });
  });
  afterAll(async () => {
    await ctx.temporal?.connection.close();
    await ctx.stack?.close();
  });
  return ctx;
}
