import { createRoute, z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
import { createSender, listPools, listSenders, updateSender } from '../../senders/senders.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import { commonErrors, Count, dataOf, errorResponse, exampleId, Id, IdempotencyHeaders, jsonBody, jsonResponse, NullableTimestamp, Timestamp, unpagedListOf } from '../schemas/common.js';

const tags = ['Delivery'];
const security = [{ bearerAuth: [] }];

const SenderStatus = z.enum(['active', 'paused']).openapi({
  description: '`active`: sends (default). `paused`: sends nothing; leads whose follow-ups go from it wait (`sender_unavailable`) until it is active again.',
  example: 'active',
});
const SenderState = z.enum(['active', 'paused', 'error']).openapi({
  description:
    '`active`: sends. `paused`: set so by hand, sends nothing. `error`: the provider refused the account itself (a bad key, an unverified domain); its sends wait until it is PATCHed `active` again, which resumes them.',
  example: 'active',
});
const DAILY_LIMIT = 'At most this many messages a day from the account (the day is the workspace time zone\'s); a message reserves its unit when it is created, so no number of workers exceeds it';
const DailyLimit = z.number().int().min(1).max(100_000).openapi({ description: DAILY_LIMIT, example: 50 });
const Gap = (what: string, example: number) => z.number().int().min(0).max(86_400).openapi({ description: what, example });
const MIN_GAP = 'At least this many seconds between two sends from the account (default 180 for accounts created here; 0 = no pacing)';
const JITTER = 'A uniform random extra of up to this many seconds on each gap (default 120)';
const Pacing = {
  minGapSeconds: Gap(MIN_GAP, 180).optional(),
  jitterSeconds: Gap(JITTER, 120).optional(),
};
const RampUp = z
  .strictObject({
    startLimit: z.number().int().min(1).max(100_000).openapi({ description: 'Sends a day on the ramp\'s first day', example: 10 }),
    increasePerDay: z.number().int().min(0).max(100_000).openapi({ description: 'Added to the limit for each whole day since the ramp began', example: 5 }),
  })
  .openapi('RampUp', {
    description: 'A new mailbox starts at startLimit a day and grows by increasePerDay each day, up to dailyLimit. Setting it (again) starts the ramp today; null ends it (and is the default).',
  });
const SenderEmail = z.string().openapi({ description: 'The From address; its domain must be verified at the mail provider', example: 'sam@outbound.example.com' });
const SenderName = (example: string) => z.string().openapi({ description: 'The From display name ("" for none)', example });

const SenderSchema = z
  .object({
    id: Id('sa', 'The sender account\'s id'),
    email: SenderEmail,
    name: SenderName('Sam from Example'),
    dailyLimit: Count(DAILY_LIMIT, 50),
    effectiveDailyLimit: Count('Today\'s limit: dailyLimit, or less while ramping up (startLimit + increasePerDay × whole days since the ramp began)', 20),
    rampUp: z
      .object({
        startLimit: Count('Sends a day on the ramp\'s first day', 10),
        increasePerDay: Count('Added each whole day since startedAt', 5),
        startedAt: Timestamp('When the ramp began'),
      })
      .nullable()
      .openapi({ description: 'The ramp-up in force; null when there is none' }),
    minGapSeconds: Count(MIN_GAP, 180),
    jitterSeconds: Count(JITTER, 120),
    status: SenderState,
    lastError: z.string().nullable().openapi({ description: "The provider's refusal that put the account in `error`; null otherwise", example: 'The example.com domain is not verified.' }),
    lastErrorAt: NullableTimestamp('When it went into error; null otherwise'),
    sentToday: Count('Messages it sent (or reserved) today', 12),
    remainingToday: Count('What it may still send today: effectiveDailyLimit − sentToday while active, else 0', 8),
    createdAt: Timestamp('When it was added'),
  })
  .openapi('SenderAccount', { description: 'A mailbox mail goes out from, with its limits and today\'s usage' });

const CreateSender = z
  .strictObject({
    email: z
      .string()
      .transform(normalizeEmail)
      .refine(isValidEmail, 'must be a valid email address')
      .openapi({ description: 'The From address (one account per address in the workspace); its domain must be verified at the mail provider', example: 'sam@outbound.example.com' }),
    name: z.string().trim().max(200).default('').openapi({ description: 'The From display name, up to 200 characters (default none)', example: 'Sam from Example' }),
    dailyLimit: DailyLimit,
    status: SenderStatus.optional(),
    ...Pacing,
    rampUp: RampUp.nullable().optional(),
  })
  .openapi('CreateSenderAccount', { description: 'A sender account to add' });
const UpdateSender = z
  .strictObject({
    name: z.string().trim().max(200).optional().openapi({ description: 'The From display name, up to 200 characters', example: 'Sam from Example' }),
    dailyLimit: DailyLimit.optional(),
    status: SenderStatus.optional(),
    ...Pacing,
    rampUp: RampUp.nullable().optional(),
  })
  .openapi('UpdateSenderAccount', { description: 'What to change; fields left out keep their values' });

const PoolSchema = z
  .object({
    id: Id('pool', 'The pool\'s id'),
    name: z.string().openapi({ description: 'Its name (`Default`)', example: 'Default' }),
    dailyCapacity: Count('Messages a day across its active accounts (their effective daily limits)', 150),
    remainingToday: Count('What its active accounts may still send today', 96),
    senderCount: Count('Accounts in the pool, whatever their status', 3),
    senderAccountIds: z.array(z.string()).openapi({ description: 'The ids of its accounts', example: [exampleId('sa')] }),
  })
  .openapi('SenderPool', { description: 'The sender accounts a workspace sends from: all of them, in one default pool every campaign uses' });

const list = createRoute({
  method: 'get',
  path: '/sender-accounts',
  tags,
  security,
  summary: "The workspace's sender accounts with today's usage",
  description:
    'Every sender account of the workspace with its limits, pacing, status and today\'s usage. Step 1 of a lead goes from the active account whose next pacing slot comes first (then the one with most capacity left); its follow-ups go from the same account. A workspace without accounts sends as the server\'s MAIL_FROM without a limit.',
  responses: {
    200: jsonResponse(unpagedListOf(SenderSchema, 'Sender accounts, oldest first'), 'Sender accounts'),
    ...commonErrors,
  },
});
const create = createRoute({
  method: 'post',
  path: '/sender-accounts',
  tags,
  security,
  summary: 'Add a sender account to the default pool',
  description:
    'Adds a mailbox to the workspace\'s pool. Accounts created here are paced by default (minGapSeconds 180, jitterSeconds 120: about 15 an hour); set 0 for none. Adding an active account wakes leads waiting for capacity it can send today. 409 `sender_exists` when the address already is one.',
  request: { headers: IdempotencyHeaders, body: jsonBody(CreateSender) },
  responses: { 201: jsonResponse(dataOf(SenderSchema), 'The new account'), ...commonErrors, 409: errorResponse('`sender_exists`: the address is already a sender account') },
});
const update = createRoute({
  method: 'patch',
  path: '/sender-accounts/{id}',
  tags,
  security,
  summary: 'Change a sender account (name, dailyLimit, status); setting `active` again after an error resumes the leads that waited for it',
  description:
    'Changes only what the body names. Setting `status` to `active` clears lastError and resumes the leads that waited for the account; raising its limit wakes as many capacity-waiting leads as it can now send today. Setting `rampUp` restarts the ramp today; null ends it.',
  request: { params: z.object({ id: z.string().openapi({ description: 'The sender account\'s id', example: exampleId('sa') }) }), body: jsonBody(UpdateSender) },
  responses: { 200: jsonResponse(dataOf(SenderSchema), 'The account'), ...commonErrors },
});
const pools = createRoute({
  method: 'get',
  path: '/sender-pools',
  tags,
  security,
  summary: "The workspace's sender pool and its capacity today",
  description: 'The one default pool of the workspace (all its sender accounts, used by every campaign) and its capacity today; capacity resets at midnight in the workspace time zone.',
  responses: {
    200: jsonResponse(unpagedListOf(PoolSchema, 'The pools: one, the default'), 'Pools'),
    ...commonErrors,
  },
});

export function senderRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter()
    .openapi(list, async (c) => c.json({ data: await listSenders(services, c.get('workspaceId')), nextCursor: null }, 200))
    .openapi(create, async (c) => c.json({ data: await createSender(services, c.get('workspaceId'), c.req.valid('json')) }, 201))
    .openapi(update, async (c) => c.json({ data: await updateSender(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('json')) }, 200))
    .openapi(pools, async (c) => c.json({ data: await listPools(services, c.get('workspaceId')), nextCursor: null }, 200));
}
