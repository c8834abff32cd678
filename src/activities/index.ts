import type { Db } from '../db.js';
import type { Logger } from '../logger.js';
import type { Orchestrator } from '../campaigns/orchestration.js';
import type { Mailer } from '../mail/mailer.js';
import { createEnrollmentActivities } from './enrollment-activities.js';
import { createFanoutActivities } from './fanout-activities.js';

export type ActivityDeps = {
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** Sender until sender accounts exist (MAIL_FROM). */
  mailFrom: string;
  /** Injected so tests can move time; production passes `() => new Date()`. */
  now: () => Date;
  /** Temporal client and task queue, for activities that start or signal workflows. */
  orchestrator: Orchestrator;
};

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEnrollmentActivities(deps),
    ...createFanoutActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
