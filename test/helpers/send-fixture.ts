import { expect } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import { RetryableMailError, type Mailer } from '../../src/mail/mailer.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import type { Config } from '../../src/config.js';
import type { ResendDouble } from '../resend-double/server.js';
import { newWorkspace, testDeps } from './deps.js';

export const HOUR = 60 * 60 * 1000;

/**
 * The real activities against the Resend double, with a clock the test moves and a network the
 * test can break on the way back: the mail reaches the provider, the answer is lost
 * (`loseAnswers`), or the caller gives up waiting after `giveUpAfterMs` while the provider still
 * works on the request (as when a timeout fires first).
 */
export function sendFixture(double: ResendDouble, clock: { now: Date }, options: { provider?: string; config?: Partial<Config> } = {}) {
  const network = { loseAnswers: false, giveUpAfterMs: 0 };
  const transport = createResendTransport({ apiKey: double.apiKey, baseUrl: double.url });
  const noAnswer = () => new RetryableMailError('Resend network application_error: the connection dropped', undefined, false);
  const mailer: Mailer = {
    name: options.provider ?? 'resend',
    async send(mail, sendOptions) {
      const call = transport.send(mail, sendOptions);
      if (network.giveUpAfterMs) {
        call.catch(() => undefined);
        await new Promise((r) => setTimeout(r, network.giveUpAfterMs));
        throw noAnswer();
      }
      const outcome = await call;
      if (network.loseAnswers) throw noAnswer();
      return outcome;
    },
  };
  const deps = testDeps();
  const services = { db: deps.db, client: deps.temporal, logger: createLogger('silent', 'test'), mailer, now: () => clock.now };
  const activities = activitiesFromConfig({ ...deps.config, ...options.config }, services);
  return { network, activities, services, enrolled: () => enrolled(double, clock), attemptWithoutAnswer };

  async function attemptWithoutAnswer(step: { enrollmentId: string; stepNumber: number }) {
    expect((await activities.claimStep(step)).kind).toBe('attempt');
    network.loseAnswers = true;
    try {
      await expect(activities.deliverStep(step)).rejects.toThrow(/connection dropped/);
    } finally {
      network.loseAnswers = false;
    }
  }
}

/** A running one-step campaign with one active lead, in a workspace of its own. */
async function enrolled(double: ResendDouble, clock: { now: Date }) {
  const { db } = testDeps();
  const { workspaceId } = await newWorkspace(db);
  await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `ada-${Date.now()}@acme.com`, name: 'Ada', dailyLimit: 100 } });
  const campaign = await db.campaign.create({
    data: { id: newId('camp'), workspaceId, name: 'unknown', status: 'running', startedAt: clock.now, steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'Hi', bodyHtml: '<p>1</p>' }] } },
  });
  const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `lead-${Math.random().toString(36).slice(2, 8)}@example.com` } });
  const enrollment = await db.enrollment.create({ data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id, status: 'active' } });
  const step = { enrollmentId: enrollment.id, stepNumber: 1 };
  const key = `${enrollment.id}/1`;
  const message = () => db.message.findUniqueOrThrow({ where: { enrollmentId_stepNumber: step } });
  const accepted = () => double.accepted.filter((a) => a.idempotencyKey === key);
  const posts = () => double.posts.filter((p) => p.idempotencyKey === key);
  const counters = async () => db.campaignCounters.findUnique({ where: { campaignId: campaign.id } });
  const sent = async () => (await counters())?.sent ?? 0;
  return { db, workspaceId, campaign, lead, enrollment, step, key, message, accepted, posts, counters, sent };
}
