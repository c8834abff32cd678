import type { Client } from '@temporalio/client';
import { publicUrlOf, sendRateOf, type Config } from '../config.js';
import type { Db } from '../db.js';
import { createMailer } from '../mail/create-mailer.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { HostResolver } from '../webhooks/url-policy.js';
import type { ActivityDeps } from './deps.js';
import { createEnrollmentActivities } from './enrollment-activities.js';
import { createFanoutActivities } from './fanout-activities.js';
import { createPruneActivities } from './prune-activities.js';
import { createWebhookActivities } from './webhook-activities.js';

export type { ActivityDeps } from './deps.js';
import { temporalOrchestrator } from '../workflows/client.js';


export function createActivities(deps: ActivityDeps) {
  return {
    ...createEnrollmentActivities(deps),
    ...createFanoutActivities(deps),
    ...createWebhookActivities(deps),
    ...createPruneActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** The activities as a worker process runs them, with everything that comes from config filled in. */
export function activitiesFromConfig(
  config: Config,
  deps: { db: Db; logger: Logger; client: Client; eagerStart?: boolean; mailer?: Mailer; now?: () => Date; resolveHost?: HostResolver },
) {
  return createActivities({
    db: deps.db,
    logger: deps.logger,
    mailer: deps.mailer ?? createMailer(config),
    now: deps.now ?? (() => new Date()),
    mailFrom: config.MAIL_FROM,
    publicUrl: publicUrlOf(config),
    orchestrator: temporalOrchestrator({ client: deps.client, taskQueue: config.TEMPORAL_TASK_QUEUE, eagerStart: deps.eagerStart ?? false }),
    allowPrivateWebhookUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    resolveHost: deps.resolveHost,
    secretKey: config.SECRET_ENCRYPTION_KEY,
    sendRatePerSecond: sendRateOf(config),
  });
}
