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

/**
 * Routes the Temporal SDK's own logs (worker state, bundler, workflow and activity log calls)
 * through pino. The bundler's module listing is debug-level noise, so it is demoted.
 */
export function installRuntimeLogger(logger: Logger): void {
  const level = TO_TEMPORAL[logger.level] ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      const method = entryLevel === 'TRACE' ? 'trace' : (entryLevel.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      const demoted = message.startsWith('asset workflow-bundle') ? 'debug' : method;
      logger[demoted]({ ...(meta ?? {}) }, message);
    }),
  });
}
