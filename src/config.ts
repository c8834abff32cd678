import { z } from 'zod';
import { MIN_EVENT_RETENTION_DAYS } from './domain/retention.js';
import { parseEncryptionKey } from './domain/secret-box.js';

const port = z.coerce.number().int().min(1).max(65535);
/** Fine for the local transport; Resend refuses it (no verified domain is `localhost`). */
export const DEFAULT_MAIL_FROM = 'Sequent <sequent@localhost>';
/**
 * What `npm start` encrypts webhook secrets with when SECRET_ENCRYPTION_KEY is unset (it says so in
 * its log): local development only. It is in this source, so it protects nothing; `npm run api` and
 * `npm run worker` (production) start only with a key of their own.
 */
export const DEV_ONLY_SECRET_ENCRYPTION_KEY = Buffer.from('sequent dev-only key, not secret').toString('base64');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** Every setting Sequent reads from the environment; nothing else touches `process.env`. */
const ConfigSchema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  TEMPORAL_ADDRESS: optionalString.pipe(
    z.string().regex(/^[^\s:/]+:\d+$/, 'must be host:port').optional(),
  ),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('sequent'),
  PORT: port.default(3000),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  DATA_DIR: z.string().min(1).default('./.data'),
  RESEND_API_KEY: optionalString,
  RESEND_BASE_URL: optionalString.pipe(z.url().optional()),
  RESEND_WEBHOOK_SECRET: optionalString,
  MAIL_FROM: z.string().min(3).default(DEFAULT_MAIL_FROM),
  /** Provider requests per second across all workers; defaults to Resend's 2/s when sending through Resend. */
  SEND_RATE_LIMIT: optionalString.pipe(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a positive number of requests per second')
      .transform(Number)
      .refine((n) => n > 0 && n <= 10_000, 'must be between 0 and 10000')
      .optional(),
  ),
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  BOOTSTRAP_API_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^sk_live_[A-Za-z0-9]{24,}$/, 'must look like sk_live_ followed by at least 24 letters or digits')
      .optional(),
  ),
  ADMIN_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Requests per second each API key may make to /v1, per API process; 0 turns the limit off. */
  API_RATE_LIMIT: optionalString.pipe(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of requests per second (0 turns the limit off)')
      .transform(Number)
      .refine((n) => n <= 1_000_000, 'must be at most 1000000')
      .optional(),
  ),
  /** Requests a key may make at once before API_RATE_LIMIT applies; defaults to twice the rate. */
  API_RATE_BURST: optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, 'must be a whole number of requests')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 10_000_000, 'must be between 1 and 10000000')
      .optional(),
  ),
  /** Workflows the worker keeps in memory between tasks; the rest replay their (short) history on wake-up. */
  WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(250),
  /** 32 bytes (64 hex characters or base64) that encrypt webhook signing secrets at rest (AES-256-GCM). */
  SECRET_ENCRYPTION_KEY: optionalString.pipe(
    z
      .string()
      .transform((text, ctx) => {
        const key = parseEncryptionKey(text);
        if (key) return key;
        ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -base64 32`)' });
        return z.NEVER;
      })
      .optional(),
  ),
  /** Days events are kept (GET /v1/events, the feed) before the hourly prune deletes them. */
  EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(MIN_EVENT_RETENTION_DAYS, `must be at least ${MIN_EVENT_RETENTION_DAYS}: events are kept at least 30 days`)
    .max(36_500)
    .default(MIN_EVENT_RETENTION_DAYS),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}

const domainOf = (mailbox: string) => /@([^@<>\s]+)>?\s*$/.exec(mailbox)?.[1]?.toLowerCase() ?? '';

/**
 * Settings each valid alone that no process can work with together. Checked when a process
 * starts (not in parseConfig, which tests call with partial settings), so it fails at once
 * instead of at its first send.
 */
function startupProblems(config: Config): string[] {
  const problems: string[] = [];
  const domain = domainOf(config.MAIL_FROM);
  if (config.RESEND_API_KEY && (domain === 'localhost' || domain.endsWith('.localhost'))) {
    problems.push(
      `MAIL_FROM: is "${config.MAIL_FROM}"${config.MAIL_FROM === DEFAULT_MAIL_FROM ? ' (the default)' : ''}, which Resend refuses. ` +
        'With RESEND_API_KEY set, set MAIL_FROM to a sender on a domain verified in Resend, e.g. MAIL_FROM="Acme Sales <sales@acme.com>"; ' +
        'or unset RESEND_API_KEY to keep mail on the local transport.',
    );
  }
  return problems;
}

/** parseConfig, plus the combinations a process must not start with (see startupProblems). */
export function parseStartupConfig(env: Record<string, string | undefined>): Config {
  const config = parseConfig(env);
  const problems = startupProblems(config);
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** For entry points that need a setting the embedded launcher normally provides. */
export function requireSetting<K extends keyof Config>(config: Config, key: K): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) {
    throw new ConfigError([`${String(key)}: is required for this process`]);
  }
  return value;
}

/** Entry points call this once: a bad value ends the process with a message naming the variable. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return parseStartupConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

/** Whether the key is the one in this source (DEV_ONLY_SECRET_ENCRYPTION_KEY): worth a warning in every log. */
export const usesDevOnlyKey = (config: Config) =>
  config.SECRET_ENCRYPTION_KEY?.equals(Buffer.from(DEV_ONLY_SECRET_ENCRYPTION_KEY, 'base64')) ?? false;

/** Where recipients reach the API (unsubscribe links): PUBLIC_URL, else this machine. */
export const publicUrlOf = (config: Config) => (config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');

export const DEFAULT_API_RATE_LIMIT = 50;

/**
 * The per-key token bucket of the API: API_RATE_LIMIT per second (default 50) with a burst of
 * API_RATE_BURST (default twice the rate); null when API_RATE_LIMIT is 0 (no limit).
 */
export function apiRateLimitOf(config: Config): { ratePerSecond: number; burst: number } | null {
  const ratePerSecond = config.API_RATE_LIMIT ?? DEFAULT_API_RATE_LIMIT;
  if (ratePerSecond === 0) return null;
  return { ratePerSecond, burst: config.API_RATE_BURST ?? Math.max(1, Math.ceil(ratePerSecond * 2)) };
}

/** The send queue's rate: SEND_RATE_LIMIT, else Resend's default team limit, else none (local transport). */
export const sendRateOf = (config: Config) => config.SEND_RATE_LIMIT ?? (config.RESEND_API_KEY ? 2 : undefined);

export type McpClientConfig = { url: string; apiKey: string };

/**
 * `npm run mcp`: the API its tools call (SEQUENT_URL, default the local stack) and the workspace
 * key they call it with (SEQUENT_API_KEY, required). Ends the process with a message when unusable.
 */
export function loadMcpClientConfigOrExit(env: Record<string, string | undefined> = process.env): McpClientConfig {
  const url = env.SEQUENT_URL ?? 'http://127.0.0.1:3000';
  const apiKey = env.SEQUENT_API_KEY;
  const problems = [
    ...(apiKey ? [] : ['SEQUENT_API_KEY: is required: a workspace API key (sk_live_…) the tools call the API with']),
    ...(URL.canParse(url) && /^https?:/.test(url) ? [] : [`SEQUENT_URL: ${url} is not an http(s) URL`]),
  ];
  if (problems.length || !apiKey) {
    process.stderr.write(`${new ConfigError(problems).message}\n`);
    process.exit(78);
  }
  return { url, apiKey };
}
