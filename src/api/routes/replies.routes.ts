import { createRoute, z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
import { listReplies, recordReply } from '../../replies/intake.js';
import { listSuppressions, suppressEmails, unsuppress } from '../../replies/suppression.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import { commonErrors, dataOf, jsonBody, jsonResponse, listOf, PaginationQuery } from '../schemas/common.js';

const security = [{ bearerAuth: [] }];
const Email = z.string().transform(normalizeEmail).refine(isValidEmail, 'must be a valid email address');
const Classification = z.enum(['interested', 'not_interested', 'out_of_office', 'bounce', 'unsubscribe']);

const ReplySchema = z
  .object({
    id: z.string(),
    email: z.string(),
    campaignId: z.string().nullable(),
    leadId: z.string(),
    classification: Classification,
    subject: z.string().nullable(),
    receivedAt: z.string(),
    threadSnippet: z.string(),
  })
  .openapi('Reply');

const createReply = createRoute({
  method: 'post',
  path: '/replies',
  tags: ['Replies'],
  security,
  summary: 'Report a reply read from your own inbox; it is classified and stops the sequence unless out-of-office',
  request: {
    body: jsonBody(
      z
        .strictObject({
          email: Email,
          campaignId: z.string().min(1).optional(),
          subject: z.string().max(2_000).optional(),
          text: z.string().max(200_000),
          receivedAt: z.iso.datetime({ offset: true }).optional(),
          headers: z.record(z.string(), z.string()).optional(),
        })
        .openapi('ReplyInput'),
    ),
  },
  responses: { 201: jsonResponse(dataOf(ReplySchema), 'The recorded reply'), ...commonErrors },
});

const listRepliesRoute = createRoute({
  method: 'get',
  path: '/replies',
  tags: ['Replies'],
  security,
  summary: 'Replies, newest first',
  request: { query: PaginationQuery.extend({ campaignId: z.string().min(1).optional(), classification: Classification.optional() }) },
  responses: { 200: jsonResponse(listOf(ReplySchema), 'A page of replies'), ...commonErrors },
});

const SuppressionSchema = z.object({ email: z.string(), reason: z.string(), createdAt: z.string() }).openapi('Suppression');

const addSuppressions = createRoute({
  method: 'post',
  path: '/suppression-list',
  tags: ['Suppression'],
  security,
  summary: 'Suppress up to 1,000 addresses; enrolled ones are stopped',
  request: { body: jsonBody(z.strictObject({ emails: z.array(Email).min(1).max(1_000) }).openapi('SuppressionInput')) },
  responses: {
    200: jsonResponse(dataOf(z.object({ suppressed: z.number().int(), alreadySuppressed: z.number().int(), total: z.number().int() })), 'Counts'),
    ...commonErrors,
  },
});

const listSuppressionsRoute = createRoute({
  method: 'get',
  path: '/suppression-list',
  tags: ['Suppression'],
  security,
  summary: 'Suppressed addresses',
  request: { query: PaginationQuery },
  responses: { 200: jsonResponse(listOf(SuppressionSchema), 'A page of addresses'), ...commonErrors },
});

const deleteSuppression = createRoute({
  method: 'delete',
  path: '/suppression-list/{email}',
  tags: ['Suppression'],
  security,
  summary: 'Remove an address from the suppression list (leads stopped by it stay stopped)',
  request: { params: z.object({ email: z.string() }) },
  responses: { 200: jsonResponse(dataOf(z.object({ email: z.string(), deleted: z.boolean() })), 'Removed'), ...commonErrors },
});

export function replyRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter()
    .openapi(createReply, async (c) => {
      const body = c.req.valid('json');
      const data = await recordReply(services, c.get('workspaceId'), {
        ...body,
        receivedAt: body.receivedAt ? new Date(body.receivedAt) : undefined,
      });
      return c.json({ data }, 201);
    })
    .openapi(listRepliesRoute, async (c) => c.json(await listReplies(services, c.get('workspaceId'), c.req.valid('query')), 200))
    .openapi(addSuppressions, async (c) => {
      const data = await suppressEmails(services, c.get('workspaceId'), c.req.valid('json').emails);
      return c.json({ data }, 200);
    })
    .openapi(listSuppressionsRoute, async (c) => c.json(await listSuppressions(services, c.get('workspaceId'), c.req.valid('query')), 200))
    .openapi(deleteSuppression, async (c) => {
      // Hono has already percent-decoded the path parameter; decoding again would turn a literal
      // `%` into a URIError (a 500) or into another address.
      const email = normalizeEmail(c.req.valid('param').email);
      await unsuppress(services, c.get('workspaceId'), email);
      return c.json({ data: { email, deleted: true } }, 200);
    });
}
