import { createRoute, z } from '@hono/zod-openapi';
import { isValidEmail, normalizeEmail } from '../../domain/email.js';
import { enrollmentsAfterReply, listReplies, recordReply } from '../../replies/intake.js';
import { listSuppressions, suppressEmails, unsuppress } from '../../replies/suppression.js';
import { createRouter, type AppDeps, servicesOf } from '../context.js';
import { EnrollmentStatusSchema, WaitReasonSchema } from '../schemas/leads.js';
import {
  commonErrors,
  Count,
  dataOf,
  EXAMPLE_TIME,
  exampleId,
  Id,
  IdempotencyHeaders,
  jsonBody,
  jsonResponse,
  listOf,
  paginationQuery,
  Timestamp,
} from '../schemas/common.js';

const security = [{ bearerAuth: [] }];
const Email = z.string().transform(normalizeEmail).refine(isValidEmail, 'must be a valid email address');
const CLASSIFICATIONS =
  '`interested` and `not_interested`: a person answered; the lead counts as replied and its sequence in that campaign ends (status `replied`), unless the campaign\'s settings.onReply says `hold`. ' +
  '`out_of_office`: an auto-reply; by default (settings.onReply.out_of_office `hold`) the lead sends nothing until the working day after the return date the reply names (waitingFor `out_of_office`), or `stop` ends it; it never counts as a reply. A lead that already finished its sequence is not held. `unsubscribe`: asks to be removed; the address is suppressed and every live enrollment of the lead ends (`unsubscribed`). ' +
  '`bounce`: a mailer-daemon notice; it counts as a bounce of the last message, not a reply, and the address is suppressed.';
const Classification = z.enum(['interested', 'not_interested', 'out_of_office', 'bounce', 'unsubscribe']).openapi({ description: CLASSIFICATIONS, example: 'interested' });

const ReplySchema = z
  .object({
    id: Id('rpl', 'The reply\'s id'),
    email: z.string().openapi({ description: 'The address that replied (the lead\'s)', example: 'jane@acme.com' }),
    campaignId: z.string().nullable().openapi({ description: 'The campaign it answers; null when no campaign had mailed the lead', example: exampleId('camp') }),
    leadId: Id('lead', 'The lead who replied'),
    classification: Classification,
    subject: z.string().nullable().openapi({ description: 'The reply\'s subject; null when it had none', example: 'Re: Quick question, Jane' }),
    receivedAt: Timestamp('When the reply arrived'),
    threadSnippet: z.string().openapi({ description: 'The start of the newest text of the reply (quoted history removed, whitespace collapsed, at most 200 characters)', example: 'Sounds interesting — can we talk on Thursday?' }),
  })
  .openapi('Reply', { description: 'A reply from a lead, classified' });

const RecordedReplySchema = ReplySchema.extend({
  colleaguesStopped: Count(
    "Colleagues (leads at the same company domain, free mail excepted) whose sequence in this campaign the reply stopped, by the campaign's stopCompanyOnReply. Only a person's reply (`interested`, `not_interested`) does; an unsubscribe, a bounce notice or an out-of-office never stops a colleague",
    0,
  ),
  colleaguesStoppedEmails: z.array(z.string()).openapi({ description: 'Their addresses, in address order', example: ['bo@globex.com'] }),
  enrollments: z
    .array(
      z.object({
        campaignId: Id('camp', 'The campaign'),
        status: EnrollmentStatusSchema,
        stopReason: z.string().nullable().openapi({ description: 'Why it ended (e.g. `reply: interested`); null while live', example: 'reply: interested' }),
        waitingFor: WaitReasonSchema.nullable(),
        behindPause: WaitReasonSchema.nullable().openapi({ description: 'While a pause covers the lead (waitingFor `campaign_paused` or `lead_paused`): the wait it covers, which still holds after the resume (e.g. `out_of_office` until nextSendAt, or `delay`); null otherwise' }),
        nextSendAt: z.string().nullable().openapi({ description: 'When its next step is due (for a hold: the working day after the return date); null when none', example: EXAMPLE_TIME }),
      }),
    )
    .openapi({
      description: "What the reply did: the lead's enrollment in the campaign it answers (with no campaign named, every enrollment of the lead), as it stands right after — `replied` or `stopped` when it ended it, `active` with waitingFor `out_of_office` when it holds it",
      example: [{ campaignId: exampleId('camp'), status: 'replied', stopReason: 'reply: interested', waitingFor: null, nextSendAt: null }],
    }),
}).openapi('RecordedReply', { description: 'The recorded reply and what it did to the lead' });

const createReply = createRoute({
  method: 'post',
  path: '/replies',
  tags: ['Replies'],
  security,
  summary: 'Report a reply read from your own inbox; it is classified and stops the sequence unless out-of-office',
  description:
    'For agents that read replies in their own mailbox (replies to Resend-received mail arrive by themselves). The lead is found by `email` (404 `lead_not_found` when it is not a lead of the workspace). ' +
    'The reply is classified from its headers and newest text (English, German, French, Spanish) and applied at once, counted once per lead however many replies race: ' +
    `${CLASSIFICATIONS} With the campaign's stopCompanyOnReply, a person's reply also stops the colleagues (same email domain, free-mail excepted) in that campaign. Event reply.received goes to webhooks.`,
  request: {
    headers: IdempotencyHeaders,
    body: jsonBody(
      z
        .strictObject({
          email: Email.openapi({ description: 'The address the reply came from: a lead of this workspace', example: 'jane@acme.com' }),
          campaignId: z.string().min(1).optional().openapi({ description: 'The campaign it answers (`campaign_not_found` if the lead is not in it); left out, the campaign that mailed the lead last', example: exampleId('camp') }),
          subject: z.string().max(2_000).optional().openapi({ description: 'The reply\'s subject (helps recognize bounce notices)', example: 'Re: Quick question, Jane' }),
          text: z.string().max(200_000).openapi({ description: 'The reply\'s plain text, quoted history included or not (only the newest part is classified); up to 200,000 characters', example: 'Sounds interesting — can we talk on Thursday?' }),
          receivedAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'When it arrived, ISO 8601 with a zone (default: now)', example: EXAMPLE_TIME }),
          headers: z
            .record(z.string(), z.string())
            .optional()
            .openapi({ description: 'The reply\'s mail headers by name, if known: `Auto-Submitted`, `X-Autoreply` and the like mark auto-replies, `X-Failed-Recipients` bounce notices', example: { 'Auto-Submitted': 'auto-replied' } }),
        })
        .openapi('ReplyInput', { description: 'A reply to report' }),
    ),
  },
  responses: { 201: jsonResponse(dataOf(RecordedReplySchema), 'The recorded reply, and where the lead stands after it'), ...commonErrors },
});

const listRepliesRoute = createRoute({
  method: 'get',
  path: '/replies',
  tags: ['Replies'],
  security,
  summary: 'Replies, newest first',
  description: 'Every reply of the workspace, newest first, from Resend inbound mail and POST /v1/replies alike; filter by `campaignId` and `classification`.',
  request: {
    query: paginationQuery(exampleId('rpl')).extend({
      campaignId: z.string().min(1).optional().openapi({ description: 'Only replies to this campaign', example: exampleId('camp') }),
      classification: Classification.optional().openapi({ description: 'Only replies classified so: `interested`, `not_interested`, `out_of_office`, `bounce` or `unsubscribe`', example: 'interested' }),
    }),
  },
  responses: { 200: jsonResponse(listOf(ReplySchema, 'Replies, newest first', exampleId('rpl')), 'A page of replies'), ...commonErrors },
});

const SuppressionSchema = z
  .object({
    email: z.string().openapi({ description: 'The suppressed address, lowercased', example: 'gone@acme.com' }),
    reason: z.string().openapi({
      description: 'Why it is suppressed (the first reason stays): `manual` (added by a caller), `unsubscribed` (the link or an unsubscribe reply), `bounced` (a hard bounce or bounce notice), `complained` (a spam complaint)',
      example: 'unsubscribed',
    }),
    createdAt: Timestamp('When it was suppressed'),
  })
  .openapi('Suppression', { description: 'An address that is never mailed again by this workspace' });

const addSuppressions = createRoute({
  method: 'post',
  path: '/suppression-list',
  tags: ['Suppression'],
  security,
  summary: 'Suppress up to 1,000 addresses; enrolled ones are stopped',
  description:
    'Adds addresses to the workspace-wide suppression list (reason `manual`): they are skipped when enrolled and checked again before every send, and every live enrollment of theirs ends at once (status `stopped`). Adding an address twice is harmless.',
  request: {
    headers: IdempotencyHeaders,
    body: jsonBody(
      z
        .strictObject({
          emails: z.array(Email).min(1).max(1_000).openapi({ description: '1 to 1,000 addresses (trimmed and lowercased; duplicates count once)', example: ['gone@acme.com', 'nobody@globex.com'] }),
        })
        .openapi('SuppressionInput', { description: 'Addresses to suppress' }),
    ),
  },
  responses: {
    200: jsonResponse(
      dataOf(
        z
          .object({
            suppressed: Count('Addresses newly added', 1),
            alreadySuppressed: Count('Addresses that were already on the list', 1),
            total: Count('Distinct addresses in the request', 2),
          })
          .openapi({ description: 'What the call added' }),
      ),
      'Counts',
    ),
    ...commonErrors,
  },
});

const listSuppressionsRoute = createRoute({
  method: 'get',
  path: '/suppression-list',
  tags: ['Suppression'],
  security,
  summary: 'Suppressed addresses',
  description: 'The workspace\'s suppression list in alphabetical order of address, a page at a time.',
  request: { query: paginationQuery('gone@acme.com') },
  responses: { 200: jsonResponse(listOf(SuppressionSchema, 'Suppressed addresses, alphabetical', 'gone@acme.com'), 'A page of addresses'), ...commonErrors },
});

const deleteSuppression = createRoute({
  method: 'delete',
  path: '/suppression-list/{email}',
  tags: ['Suppression'],
  security,
  summary: 'Remove an address from the suppression list (leads stopped by it stay stopped)',
  description: 'Takes an address off the list, so it may be enrolled and mailed again; enrollments it ended stay ended. 404 `suppressed_address_not_found` when it was not on the list.',
  request: { params: z.object({ email: z.string().openapi({ description: 'The address, percent-encoded in the path (`@` may stay as is)', example: 'gone@acme.com' }) }) },
  responses: {
    200: jsonResponse(
      dataOf(
        z
          .object({
            email: z.string().openapi({ description: 'The address taken off the list, lowercased', example: 'gone@acme.com' }),
            deleted: z.boolean().openapi({ description: 'Always true', example: true }),
          })
          .openapi({ description: 'The removed address' }),
      ),
      'Removed',
    ),
    ...commonErrors,
  },
});

export function replyRoutes(deps: AppDeps) {
  const services = servicesOf(deps);
  return createRouter()
    .openapi(createReply, async (c) => {
      const body = c.req.valid('json');
      const reply = await recordReply(services, c.get('workspaceId'), {
        ...body,
        receivedAt: body.receivedAt ? new Date(body.receivedAt) : undefined,
      });
      const enrollments = await enrollmentsAfterReply(services, reply.leadId, body.campaignId ? reply.campaignId : null);
      return c.json({ data: { ...reply, enrollments } }, 201);
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
