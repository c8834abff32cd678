import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../src/workflows/contract.js';

/**
 * The time-skipping test server for the file's tests, with Sequent's search attributes (the
 * workflows set them), torn down after the file. Read `.env` inside a test.
 */
export function useTimeSkippingEnv() {
  const holder = {} as { env: TestWorkflowEnvironment };
  beforeAll(async () => {
    holder.env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('testServerPath') } } });
    await holder.env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  });
  afterAll(async () => {
    await holder.env?.teardown();
  });
  return holder;
}
