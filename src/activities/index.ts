import type { Client } from '@temporalio/client';
import { publicUrlOf, sendRateOf, type Config } from '../config.js';
import type { Db } from '../db.js';
import { createMailer } from '../mail/create-mailer.js';
import type { Logger } from '../logger.js';
import type { Orchestrator } from '../workflows/client.js';
import type { Mailer } from '../mail/mailer.js';
import type { HostResolver } from '../webhooks/url-policy.js';
import { createEnrollmentActivities } from './enrollment-activities.js';
import { createFanoutActivities } from './fanout-activities.js';
import { createPruneActivities } from './prune-activities.js';
import { createWebhookActivities } from './webhook-activities.js';

export type ActivityDeps = {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** Sender until sender accounts exist (MAIL_FROM). */
  mailFrom: string;
  /** Base URL of the API as recipients reach it (unsubscribe links). */
  publicUrl: string;
  /** Injected so tests can move time; production passes `() => new Date()`. */
  now: () => Date;
  /** Temporal client and task queue, for activities that start or signal workflows. */
  orchestrator: Orchestrator;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: local development only. */
  allowPrivateWebhookUrls: boolean;
  /** SEND_RATE_LIMIT: provider calls per second, shared by every worker through PostgreSQL. */
  sendRatePerSecond?: number | undefined;
  /** How webhook hosts are resolved for the SSRF check (tests inject one); default: the OS resolver. */
  resolveHost?: HostResolver | undefined;
  /** SECRET_ENCRYPTION_KEY: opens webhook secrets to sign deliveries; required by deliverWebhook only. */
  secretKey?: Buffer | undefined;
};

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
    orchestrator: { client: deps.client, taskQueue: config.TEMPORAL_TASK_QUEUE, eagerStart: deps.eagerStart ?? false },
    allowPrivateWebhookUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    resolveHost: deps.resolveHost,
    secretKey: config.SECRET_ENCRYPTION_KEY,
    sendRatePerSecond: sendRateOf(config),
  });
}
