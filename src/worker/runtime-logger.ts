import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logger.js';

const TO_TEMPORAL: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  // Temporal has no "off"; ERROR is the quietest it goes.
  silent: 'ERROR',
};

// Expected on every start: the bundler's module listing, and the send worker having no workflows.
const NOISE = ['asset workflow-bundle', 'No workflows registered'];

/**
 * Routes the Temporal SDK's own logs (worker state, bundler, workflow and activity log calls)
 * through pino, with known start-up noise demoted to debug.
 */
export function installRuntimeLogger(logger: Logger): void {
  const level = TO_TEMPORAL[logger.level] ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'TRACE' ? 'trace' : (entryLevel.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      const demoted = NOISE.some((prefix) => message.startsWith(prefix)) ? 'debug' : method;
      logger[demoted]({ ...(meta ?? {}) }, message);
    }),
  });
}
