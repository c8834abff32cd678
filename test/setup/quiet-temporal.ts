import { createLogger } from '../../src/logger.js';
import { installRuntimeLogger } from '../../src/worker/runtime-logger.js';

// Once per test process: the SDK's runtime can be installed only before its first use.
const installed = (globalThis as { __sequentRuntime?: boolean }).__sequentRuntime;
if (!installed) {
  (globalThis as { __sequentRuntime?: boolean }).__sequentRuntime = true;
  installRuntimeLogger(createLogger('warn', 'temporal-sdk'));
}
