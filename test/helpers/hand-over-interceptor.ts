/**
 * A workflow interceptor for tests (bundled with the workflows): tells the test, through a sink,
 * that a run is continuing as new. The worker awaits sink calls before it answers the workflow
 * task, so whatever the sink does happens while the hand-over is in flight.
 */
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface HandOverSinks extends Sinks {
  handOver: { starting(): void };
}

const { handOver } = proxySinks<HandOverSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      async continueAsNew(input, next) {
        handOver.starting();
        return next(input);
      },
    },
  ],
});
