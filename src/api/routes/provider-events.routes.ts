import { Hono } from 'hono';
import { Webhook } from 'svix';
import { z } from 'zod';
import { toStorableText } from '../../domain/text.js';
import { createResendInboundFetcher } from '../../mail/resend-transport.js';
import { handleResendEvent } from '../../replies/provider-events.js';
import { servicesOf, type AppDeps, type AppEnv } from '../context.js';
import { ApiError } from '../errors.js';

// Resend's payload, read leniently: a field of an unexpected type counts as absent (the event is still
// applied from what it does carry) and text is made storable, so no signed event can end in a 5xx
// that Resend would retry forever. Only a missing type or data refuses the event.
const text = z.string().transform(toStorableText);
const absentIfInvalid = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const pairs = z.union([z.record(z.string(), text), z.array(z.object({ name: text, value: text }))]);
const EventShape = z.object({
  type: z.string().min(1).max(200).transform(toStorableText),
  created_at: absentIfInvalid(z.string().refine((s) => !Number.isNaN(Date.parse(s)))),
  data: z.looseObject({
    email_id: absentIfInvalid(text),
    from: absentIfInvalid(text),
    to: absentIfInvalid(z.union([text, z.array(text)])),
    subject: absentIfInvalid(text),
    text: absentIfInvalid(text),
    headers: absentIfInvalid(pairs),
    tags: absentIfInvalid(pairs),
    bounce: absentIfInvalid(z.looseObject({ type: absentIfInvalid(text), subType: absentIfInvalid(text), message: absentIfInvalid(text) })),
  }),
});

/**
 * Resend's webhook (Svix-signed) at POST /v1/providers/resend/events. Authenticated by the
 * signature over the raw body, not by an API key; a missing, wrong or stale signature is 401 and
 * changes nothing.
 */
export function providerEventRoutes(deps: AppDeps) {
  const { config, logger } = deps;
  const services = servicesOf(deps);
  const fetchInbound = config.RESEND_API_KEY ? createResendInboundFetcher({ apiKey: config.RESEND_API_KEY, baseUrl: config.RESEND_BASE_URL }) : null;
  const app = new Hono<AppEnv>();
  app.post('/v1/providers/resend/events', async (c) => {
    const secret = config.RESEND_WEBHOOK_SECRET;
    if (!secret) throw new ApiError(401, 'authentication_failed', 'Provider events are not accepted: RESEND_WEBHOOK_SECRET is not set.');
    const payload = await c.req.text();
    const svixId = c.req.header('svix-id') ?? '';
    try {
      new Webhook(secret).verify(payload, {
        'svix-id': svixId,
        'svix-timestamp': c.req.header('svix-timestamp') ?? '',
        'svix-signature': c.req.header('svix-signature') ?? '',
      });
    } catch {
      throw new ApiError(401, 'authentication_failed', 'The Svix signature is missing, wrong or too old.');
    }
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      throw new ApiError(400, 'invalid_request', 'The event body is not valid JSON.');
    }
    const parsed = EventShape.safeParse(body);
    if (!parsed.success) throw new ApiError(400, 'invalid_request', 'The event is not a Resend event.');
    const result = await handleResendEvent(services, fetchInbound, svixId, parsed.data);
    logger.info({ svixId, type: parsed.data.type, result }, 'provider event');
    return c.json({ data: { received: true, result } });
  });
  return app;
}
