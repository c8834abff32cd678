import type { Db } from '../db.js';
import type { Orchestrator } from '../domain/orchestrator.js';
import type { Logger } from '../logger.js';
import type { Mailer } from '../mail/mailer.js';
import type { HostResolver } from '../webhooks/url-policy.js';

/** What every activity runs on: a ServiceDeps (db, orchestrator, clock) and what the worker adds. */
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
