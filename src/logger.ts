import { pino, type Logger } from 'pino';

export type { Logger };

/** Field paths that must never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'headers.authorization',
  'apiKey',
  'secret',
  'token',
  '*.apiKey',
  '*.secret',
  '*.token',
];

export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, redact: { paths: REDACT, censor: '[redacted]' } });
}
