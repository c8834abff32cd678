import { activityInfo } from '@temporalio/activity';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { newId } from '../domain/ids.js';
import { postPinned } from '../webhooks/pinned-post.js';
import { resolveWebhookTarget } from '../webhooks/url-policy.js';
import { eventBody, relayUndispatched } from '../webhooks/events.js';
import { webhookSigningSecret } from '../webhooks/webhook-secrets.js';
import type { ActivityDeps } from './deps.js';

const TIMEOUT_MS = 10_000;

export function createWebhookActivities(deps: ActivityDeps) {
  const { db, allowPrivateWebhookUrls, resolveHost } = deps;
  const secretKey = () => {
    if (!deps.secretKey) throw new Error('SECRET_ENCRYPTION_KEY: is required to sign webhook deliveries');
    return deps.secretKey;
  };
  /** The outbox relay's step: hands every event a crash left undispatched to its webhooks. */
  async function relayEvents(): Promise<number> {
    return relayUndispatched(deps);
  }

  /**
   * One signed POST (Standard Webhooks), logged whatever happens. A 2xx within 10 s acknowledges.
   * The URL is checked again on every attempt and the connection goes to the very addresses that
   * were checked (DNS is not asked twice); redirects are not followed (they could lead to a
   * private address). A refused URL is recorded as a failed attempt and nothing is sent.
   */
  async function deliverWebhook({ webhookId, eventId, attempt }: { webhookId: string; eventId: string; attempt: number }): Promise<'delivered' | 'failed' | 'gone'> {
    const [hook, event] = await Promise.all([db.webhook.findUnique({ where: { id: webhookId } }), db.event.findUnique({ where: { id: eventId } })]);
    if (!hook || hook.deletedAt || !event) return 'gone';
    const body = JSON.stringify(eventBody(event));
    // The activity's schedule time is the server's clock: true even when tests skip time.
    const attemptedAt = new Date(activityInfo().currentAttemptScheduledTimestampMs);
    const started = performance.now();
    let responseStatus: number | null = null;
    let error: string | null = null;
    const check = await resolveWebhookTarget(hook.url, allowPrivateWebhookUrls, resolveHost);
    if (!check.ok) {
      error = `refused: the URL ${check.reason}`;
    } else {
      // The wall clock, not the injected one: the receiver checks it against its own.
      const timestamp = new Date();
      const signature = new StandardWebhook(await webhookSigningSecret(db, secretKey(), hook)).sign(event.id, timestamp, body);
      try {
        const res = await postPinned(
          check.target,
          {
            'content-type': 'application/json',
            'user-agent': 'Sequent-Webhooks/1',
            'webhook-id': event.id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body,
          TIMEOUT_MS,
        );
        responseStatus = res.status;
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
    }
    await db.webhookDelivery.create({
      data: {
        id: newId('whd'),
        webhookId,
        eventId,
        eventType: event.type,
        attempt,
        succeeded: error === null,
        responseStatus,
        error,
        durationMs: Math.round(performance.now() - started),
        attemptedAt,
      },
    });
    return error === null ? 'delivered' : 'failed';
  }
  return { deliverWebhook, relayEvents };
}
