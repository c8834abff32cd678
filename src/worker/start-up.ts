import type { Client } from '@temporalio/client';
import { requireSetting, usesDevOnlyKey, type Config } from '../config.js';
import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import { sealLegacyWebhookSecrets } from '../webhooks/webhook-secrets.js';
import { ensureSchedules } from './schedules.js';

/**
 * What a worker process does once before it polls: the schedules (relay and pruning) and the
 * encryption of any webhook secret still in plaintext. Every worker runs it; each step is
 * idempotent and safe to run from several at once.
 */
export async function prepareWorkerStart(deps: { client: Client; db: Db; config: Config; logger: Logger }): Promise<void> {
  const { client, db, config, logger } = deps;
  const key = requireSetting(config, 'SECRET_ENCRYPTION_KEY');
  if (usesDevOnlyKey(config)) logger.warn('SECRET_ENCRYPTION_KEY is the built-in dev-only key (npm start): set a key of your own before any real use');
  await ensureSchedules(client, config.TEMPORAL_TASK_QUEUE, { eventRetentionDays: config.EVENT_RETENTION_DAYS });
  const sealed = await sealLegacyWebhookSecrets(db, key);
  if (sealed > 0) logger.info({ sealed }, 'encrypted webhook secrets stored in plaintext');
}
