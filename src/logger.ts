import { pino, type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

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

/** A pino logger to stdout, or to `destination` (tests capture every line). */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = { level, name, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
