import { createRoute, z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
import { createSender, listPools, listSenders, updateSender } from '../../delivery/senders.js';
import { createRouter, servicesOf, type AppDeps } from '../context.js';
import { commonErrors, dataOf, errorResponse, jsonBody, jsonResponse } from '../schemas/common.js';

const tags = ['Delivery'];
const security = [{ bearerAuth: [] }];

const SenderStatus = z.enum(['active', 'paused']);
const SenderState = z.enum(['active', 'paused', 'error']).openapi({
  description: '`error`: the provider refused the account (bad key, unverified domain); its sends wait until it is set `active` again',
});
const DailyLimit = z.number().int().min(1).max(100_000);
const Gap = (what: string) => z.number().int().min(0).max(86_400).openapi({ description: what });
const Pacing = {
  minGapSeconds: Gap('At least this many seconds between two sends from the account (default 180 for accounts created here; 0 = no pacing)').optional(),
  jitterSeconds: Gap('A uniform random extra of up to this many seconds on each gap (default 120)').optional(),
};
const RampUp = z
  .strictObject({
    startLimit: z.number().int().min(1).max(100_000).openapi({ example: 10 }),
    increasePerDay: z.number().int().min(0).max(100_000).openapi({ example: 5 }),
  })
  .openapi('RampUp', { description: 'A new mailbox starts at startLimit a day and grows by increasePerDay each day, up to dailyLimit. Setting it (again) starts the ramp today; null ends it.' });
const SenderSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    dailyLimit: z.number().int(),
    effectiveDailyLimit: z.number().int().openapi({ description: 'Today\'s limit: dailyLimit, or less while ramping up' }),
    rampUp: z.object({ startLimit: z.number().int(), increasePerDay: z.number().int(), startedAt: z.string() }).nullable(),
    minGapSeconds: z.number().int(),
    jitterSeconds: z.number().int(),
    status: SenderState,
    lastError: z.string().nullable().openapi({ description: "The provider's refusal that put the account in error" }),
    lastErrorAt: z.string().nullable(),
    sentToday: z.number().int(),
    remainingToday: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('SenderAccount');

const CreateSender = z
  .strictObject({
    email: z.string().transform(normalizeEmail).refine(isValidEmail, 'must be a valid email address'),
    name: z.string().trim().max(200).default(''),
    dailyLimit: DailyLimit,
    status: SenderStatus.optional(),
    ...Pacing,
    rampUp: RampUp.nullable().optional(),
  })
  .openapi('CreateSenderAccount');
const UpdateSender = z
  .strictObject({ name: z.string().trim().max(200).optional(), dailyLimit: DailyLimit.optional(), status: SenderStatus.optional(), ...Pacing, rampUp: RampUp.nullable().optional() })
  .openapi('UpdateSenderAccount');

const PoolSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    dailyCapacity: z.number().int(),
    remainingToday: z.number().int(),
    senderCount: z.number().int(),
    senderAccountIds: z.array(z.string()),
  })
  .openapi('SenderPool');

const list = createRoute({
  method: 'get',
  path: '/sender-accounts',
  tags,
  security,
  summary: "The workspace's sender accounts with today's usage",
  responses: { 200: jsonResponse(z.object({ data: z.array(SenderSchema), nextCursor: z.null() }), 'Sender accounts'), ...commonErrors },
});
const create = createRoute({
  method: 'post',
  path: '/sender-accounts',
  tags,
  security,
  summary: 'Add a sender account to the default pool',
  request: { body: jsonBody(CreateSender) },
  responses: { 201: jsonResponse(dataOf(SenderSchema), 'The new account'), ...commonErrors, 409: errorResponse('The address is already a sender') },
});
const update = createRoute({
  method: 'patch',
  path: '/sender-accounts/{id}',
  tags,
  security,
  summary: 'Change a sender account (name, dailyLimit, status); setting `active` again after an error resumes the leads that waited for it',
  request: { params: z.object({ id: z.string() }), body: jsonBody(UpdateSender) },
  responses: { 200: jsonResponse(dataOf(SenderSchema), 'The account'), ...commonErrors },
});
const pools = createRoute({
  method: 'get',
  path: '/sender-pools',
  tags,
  security,
  summary: "The workspace's sender pool and its capacity today",
  responses: { 200: jsonResponse(z.object({ data: z.array(PoolSchema), nextCursor: z.null() }), 'Pools'), ...commonErrors },
});

export function senderRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter()
    .openapi(list, async (c) => c.json({ data: await listSenders(services, c.get('workspaceId')), nextCursor: null }, 200))
    .openapi(create, async (c) => c.json({ data: await createSender(services, c.get('workspaceId'), c.req.valid('json')) }, 201))
    .openapi(update, async (c) => c.json({ data: await updateSender(services, c.get('workspaceId'), c.req.valid('param').id, c.req.valid('json')) }, 200))
    .openapi(pools, async (c) => c.json({ data: await listPools(services, c.get('workspaceId')), nextCursor: null }, 200));
}
