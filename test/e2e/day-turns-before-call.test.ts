import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activitiesFromConfig } from '../../src/activities/index.js';
import { newId } from '../../src/domain/ids.js';
import { createLogger } from '../../src/logger.js';
import type { Mailer } from '../../src/mail/mailer.js';
import { createResendTransport } from '../../src/mail/resend-transport.js';
import { startResendDouble, type ResendDouble } from '../resend-double/server.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';

/**
 * SPEC §9 "Caps are caps on the day a mail leaves", at a midnight of the clock: an attempt judges
 * the day's caps under its locks, then may wait (for the provider's rate limit) before its call.
 * Midnight in that wait must not let the mail leave on the new day counted on the old one.
 */
describe('midnight between the caps check and the provider call', () => {
  let double: ResendDouble;
  beforeAll(async () => {
    double = await startResendDouble();
  });
  afterAll(() => double.close());

  it('judges the caps again on the new day: the mail counts on the day it leaves', async () => {
    const { db, config, temporal } = testDeps();
    // A clock set to an hour of 26 November (UTC, the workspace's day), moved on as the test says.
    const midnight = Date.parse('2026-11-27T00:00:00Z');
    let offset = midnight - 12 * 3_600_000 - Date.now();
    const now = () => new Date(Date.now() + offset);
    const provider = `resend-${Math.random().toString(36).slice(2, 10)}`;
    const transport = createResendTransport({ apiKey: double.apiKey, baseUrl: double.url });
    const mailer: Mailer = { name: provider, send: (mail) => transport.send(mail) };
    const acts = activitiesFromConfig({ ...config, SEND_RATE_LIMIT: 1 }, { db, client: temporal, logger: createLogger('silent', 'test'), mailer, now });

    const { workspaceId } = await newWorkspace(db);
    const sender = await db.senderAccount.create({ data: { id: newId('sa'), workspaceId, email: `ada-${Date.now()}@acme.com`, name: 'Ada', dailyLimit: 10 } });
    const campaign = await db.campaign.create({
      data: { id: newId('camp'), workspaceId, name: 'midnight', status: 'running', startedAt: new Date(), steps: { create: [{ stepNumber: 1, delayDays: 0, subject: 'Hi', bodyHtml: '<p>1</p>' }] } },
    });
    const lead = await db.lead.create({ data: { id: newId('lead'), workspaceId, email: `midnight-${Date.now()}@example.com` } });
    const enrollment = await db.enrollment.create({ data: { id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: lead.id, status: 'active' } });
    const step = { enrollmentId: enrollment.id, stepNumber: 1 };
    expect(await acts.claimStep(step)).toMatchObject({ kind: 'attempt' });
    // Another worker took the provider's next slot: this attempt's call waits 800 ms for its own, past midnight.
    await db.$executeRaw`INSERT INTO "ProviderRate" (provider, "nextSlotAt") VALUES (${provider}, clock_timestamp() + interval '800 milliseconds')`;
    offset = midnight - 400 - Date.now();

    const turned = await acts.deliverStep(step).then(() => null, (error: unknown) => error);
    expect(turned, 'the attempt whose day turned before its call').toMatchObject({ type: 'DayTurned' });
    expect(double.posts.filter((p) => p.idempotencyKey === `${enrollment.id}/1`)).toEqual([]);
    const usage = () => db.senderDailyUsage.findMany({ where: { senderAccountId: sender.id }, select: { day: true, used: true }, orderBy: { day: 'asc' } });
    expect(await usage()).toEqual([{ day: '2026-11-26', used: 1 }]);
    expect(await db.providerCall.count({ where: { message: { enrollmentId: enrollment.id } } })).toBe(0);

    // Temporal's retry: the reservation moves to the new day, and the mail leaves on it.
    expect(await acts.deliverStep(step)).toMatchObject({ kind: 'sent' });
    const message = await db.message.findUniqueOrThrow({ where: { enrollmentId_stepNumber: step } });
    expect({ reservedDay: message.reservedDay, sentOn: message.sentAt!.toISOString().slice(0, 10) }).toEqual({ reservedDay: '2026-11-27', sentOn: '2026-11-27' });
    expect(await usage()).toEqual([{ day: '2026-11-26', used: 0 }, { day: '2026-11-27', used: 1 }]);
  }, 30_000);
});
