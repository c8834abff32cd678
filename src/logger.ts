import { pino, type DestinationStream, type Logger } from 'pino';
import { isColorSupported, prettyFactory } from 'pino-pretty';

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

/**
 * Turns one pino JSON line into a line for people; anything else passes through unchanged. It reads
 * lines already serialised (and so already redacted) by pino: it can never show more than the JSON.
 */
export function prettyFormatter(colorize = isColorSupported): (line: string) => string {
  const format = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
  return (line) => {
    if (!line.trimStart().startsWith('{')) return line;
    const out: unknown = format(line);
    return typeof out === 'string' && out ? out : line;
  };
}

const prettyTo = (destination: DestinationStream, colorize?: boolean): DestinationStream => {
  const format = prettyFormatter(colorize);
  return { write: (line: string) => destination.write(format(line)) };
};

/**
 * A pino logger to stdout, or to `destination` (tests capture every line). JSON lines, except that
 * a terminal gets them human-readable; `pretty` overrides that choice.
 */
export function createLogger(level: string, name: string, destination?: DestinationStream, options: { pretty?: boolean } = {}): Logger {
  // `error` as well as `err`: the Temporal SDK logs a failed activity's cause under `error`, whose
  // message and stack a plain object copy would drop (they are not enumerable).
  const settings = { level, name, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err } };
  const pretty = options.pretty ?? (destination === undefined && process.stdout.isTTY === true);
  const target = destination ?? process.stdout;
  if (pretty) return pino(settings, prettyTo(target, destination ? false : undefined));
  return destination ? pino(settings, destination) : pino(settings);
}
