import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { DAY_MS } from '../../src/domain/time.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { seedEnrollment } from '../helpers/fixtures.js';

type Sums = { sent: number; delivered: number; bounced: number; complained: number; replied: number };

/**
 * The breakdown counters (CampaignStatsBucket) must add up to the campaign's counters and to a
 * recount of the rows, per step and variant, whatever order concurrent writers change rows in.
 */
describe('stats buckets kept by triggers', () => {
  it('sum to the counters and to a recount per step and variant under concurrent writers', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign } = await seedEnrollment(db, workspaceId, {
      steps: [
        { delayDays: 0, subject: 's1', bodyHtml: 'b' },
        { delayDays: 0, subject: 's2', bodyHtml: 'b' },
      ],
    });
    const leads = Array.from({ length: 60 }, (_, i) => ({ id: newId('lead'), workspaceId, email: `b${i}-${campaign.id}@example.com` }));
    await db.lead.createMany({ data: leads });
    const enrollments = leads.map((l) => ({ id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: l.id, status: 'active' as const }));
    await db.enrollment.createMany({ data: enrollments });
    const t0 = Date.now() - 3 * DAY_MS;
    const messages = enrollments.flatMap((e, i) =>
      [1, 2].map((step) => ({
        id: newId('msg'), workspaceId, campaignId: campaign.id, enrollmentId: e.id, leadId: e.leadId, stepNumber: step,
        variantId: step === 1 ? (i % 2 ? 'A' : 'B') : null, idempotencyKey: `${e.id}/${step}`, toEmail: `x${i}@example.com`,
        fromEmail: 'x@y.z', subject: 's', bodyHtml: 'b', createdAt: new Date(t0 + step * DAY_MS),
      })),
    );
    await db.message.createMany({ data: messages });

    // Each message goes through its life in its own transactions, 12 writers at once, on different days.
    const at = (m: (typeof messages)[number], hours: number) => new Date(m.createdAt.getTime() + hours * 3600_000);
    const lives = messages.map((m, i) => async () => {
      await db.message.update({ where: { id: m.id }, data: { status: 'sent', sentAt: at(m, 1) } });
      if (i % 5 === 4) return;
      await db.message.update({ where: { id: m.id }, data: { status: 'delivered', deliveredAt: at(m, 30) } });
      if (i % 7 === 0) await db.message.update({ where: { id: m.id }, data: { status: 'bounced', bouncedAt: at(m, 50) } });
      if (i % 11 === 0) await db.message.update({ where: { id: m.id }, data: { complainedAt: at(m, 60) } });
      if (i % 3 === 0) {
        await db.$executeRaw`UPDATE "Enrollment" SET "repliedStep" = ${m.stepNumber}, "repliedVariantId" = ${m.variantId} WHERE id = ${m.enrollmentId} AND "repliedAt" IS NULL`;
        await db.$executeRaw`UPDATE "Enrollment" SET "repliedAt" = COALESCE("repliedAt", ${at(m, 70)}) WHERE id = ${m.enrollmentId}`;
      }
    });
    let next = 0;
    await Promise.all(Array.from({ length: 12 }, async () => {
      while (next < lives.length) await lives[next++]!();
    }));
    await db.message.deleteMany({ where: { id: messages[1]!.id } });
    await db.enrollment.deleteMany({ where: { id: enrollments[3]!.id } });

    const buckets = await db.campaignStatsBucket.findMany({ where: { campaignId: campaign.id } });
    const total = (rows: Sums[]) => rows.reduce((s, r) => ({ sent: s.sent + r.sent, delivered: s.delivered + r.delivered, bounced: s.bounced + r.bounced, complained: s.complained + r.complained, replied: s.replied + r.replied }), { sent: 0, delivered: 0, bounced: 0, complained: 0, replied: 0 });
    const counters = await db.campaignCounters.findUniqueOrThrow({ where: { campaignId: campaign.id } });
    expect(total(buckets)).toEqual({ sent: counters.sent, delivered: counters.delivered, bounced: counters.bounced, complained: counters.complained, replied: counters.replied });
    expect(buckets.every((b) => b.sent >= 0 && b.delivered >= 0 && b.bounced >= 0 && b.complained >= 0 && b.replied >= 0)).toBe(true);
    expect(counters.sent).toBe(117); // 120 less the deleted message and the two of the deleted enrollment
    expect(counters.replied).toBeGreaterThan(10);

    // Per step and variant, a recount of the rows themselves.
    const rows = await db.message.findMany({ where: { campaignId: campaign.id } });
    const replied = await db.enrollment.findMany({ where: { campaignId: campaign.id, repliedAt: { not: null } } });
    for (const [step, variant] of [[1, 'A'], [1, 'B'], [2, '']] as const) {
      const mine = rows.filter((m) => m.stepNumber === step && (m.variantId ?? '') === variant);
      expect(total(buckets.filter((b) => b.stepNumber === step && b.variantId === variant))).toEqual({
        sent: mine.filter((m) => m.sentAt).length,
        delivered: mine.filter((m) => m.deliveredAt && m.status !== 'bounced').length,
        bounced: mine.filter((m) => m.status === 'bounced').length,
        complained: mine.filter((m) => m.complainedAt).length,
        replied: replied.filter((e) => e.repliedStep === step && (e.repliedVariantId ?? '') === variant).length,
      });
    }
    // Facts land in the quarter hour they happened: the deliveries of step 1 a day after its sends.
    const sentAt = buckets.filter((b) => b.stepNumber === 1 && b.sent > 0).map((b) => b.bucket.getTime());
    expect(new Set(sentAt)).toEqual(new Set([Math.floor((t0 + DAY_MS + 3600_000) / 900_000) * 900_000]));
  });
});
