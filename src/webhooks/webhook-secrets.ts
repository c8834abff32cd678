import type { Db } from '../db.js';
import { isSealed, openSecret, sealSecret, SEALED_PREFIX } from '../domain/secret-box.js';

/**
 * A webhook's signing secret is stored sealed to its row (SPEC §9: no secret at rest in
 * plaintext); only the delivery that signs with it opens it.
 */
export const sealWebhookSecret = (key: Buffer, webhookId: string, secret: string) => sealSecret(key, secret, webhookId);

/**
 * The secret that signs a webhook's deliveries. A row written before secrets were encrypted (or by
 * an older API process during a rolling deploy) still holds it in plaintext: it is sealed here, on
 * its first use, unless something changed it meanwhile.
 */
export async function webhookSigningSecret(db: Db, key: Buffer, hook: { id: string; secret: string }): Promise<string> {
  if (isSealed(hook.secret)) return openSecret(key, hook.secret, hook.id);
  await db.webhook.updateMany({ where: { id: hook.id, secret: hook.secret }, data: { secret: sealWebhookSecret(key, hook.id, hook.secret) } });
  return hook.secret;
}

const LEGACY_BATCH = 200;

/**
 * Seals every plaintext secret left from before encryption, deleted webhooks' too: each worker
 * runs it at start, so a webhook that never fires does not keep its secret readable. A SQL
 * migration cannot do it (the key is the application's). Safe to run from many workers at once:
 * each row is replaced only if still unchanged. Answers how many it sealed.
 */
export async function sealLegacyWebhookSecrets(db: Db, key: Buffer): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await db.webhook.findMany({ where: { NOT: { secret: { startsWith: SEALED_PREFIX } } }, select: { id: true, secret: true }, take: LEGACY_BATCH });
    if (rows.length === 0) return sealed;
    for (const row of rows) {
      const { count } = await db.webhook.updateMany({ where: { id: row.id, secret: row.secret }, data: { secret: sealWebhookSecret(key, row.id, row.secret) } });
      sealed += count;
    }
  }
}
