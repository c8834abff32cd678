import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { seedEnrollment } from '../helpers/fixtures.js';

const TERMINAL = ['completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'failed'] as const;

describe('campaign counters kept by triggers', () => {
  it('always equal a recount, whatever path changes enrollments and messages', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign, enrollment, lead } = await seedEnrollment(db, workspaceId, { steps: [{ delayDays: 0, subject: 's', bodyHtml: 'b' }] });
    const more = Array.from({ length: 40 }, (_, i) => ({ id: newId('lead'), workspaceId, email: `c${i}-${campaign.id}@example.com` }));
    await db.lead.createMany({ data: more });
    await db.enrollment.createMany({ data: more.map((l, i) => ({ id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: l.id, status: i % 4 === 0 ? 'completed' : 'pending' })) });
    await db.enrollment.updateMany({ where: { campaignId: campaign.id, status: 'pending' }, data: { status: 'active' } });
    await db.enrollment.updateMany({ where: { campaignId: campaign.id, status: 'completed' }, data: { status: 'stopped' } });
    const someActive = await db.enrollment.findMany({ where: { campaignId: campaign.id, status: 'active' }, take: 5 });
    await db.enrollment.updateMany({ where: { id: { in: someActive.map((e) => e.id) } }, data: { status: 'replied' } });
    await db.enrollment.update({ where: { id: someActive[0]!.id }, data: { status: 'active' } }); // back from terminal

    const msg = (i: number, extra: object = {}) => ({
      id: newId('msg'), workspaceId, campaignId: campaign.id, enrollmentId: enrollment.id, leadId: lead.id, stepNumber: i,
      idempotencyKey: `${enrollment.id}/${i}`, toEmail: lead.email, fromEmail: 'x@y.z', subject: 's', bodyHtml: 'b', ...extra,
    });
    await db.message.createMany({ data: [msg(1), msg(2, { sentAt: new Date() }), msg(3, { sentAt: new Date(), deliveredAt: new Date(), status: 'delivered' })] });
    await db.message.updateMany({ where: { campaignId: campaign.id, sentAt: null }, data: { sentAt: new Date(), status: 'sent' } });
    await db.message.updateMany({ where: { campaignId: campaign.id, stepNumber: 2 }, data: { status: 'bounced', bouncedAt: new Date() } });
    await db.message.deleteMany({ where: { campaignId: campaign.id, stepNumber: 3 } });
    await db.enrollment.deleteMany({ where: { id: someActive[1]!.id } });

    const counters = await db.campaignCounters.findUniqueOrThrow({ where: { campaignId: campaign.id } });
    const enrollments = await db.enrollment.findMany({ where: { campaignId: campaign.id } });
    const messages = await db.message.findMany({ where: { campaignId: campaign.id } });
    expect(counters).toMatchObject({
      enrolled: enrollments.length,
      finished: enrollments.filter((e) => (TERMINAL as readonly string[]).includes(e.status)).length,
      sent: messages.filter((m) => m.sentAt).length,
      delivered: messages.filter((m) => m.deliveredAt).length,
      bounced: messages.filter((m) => m.status === 'bounced').length,
    });
    expect(counters.enrolled).toBe(40);
    expect(counters.sent).toBe(2);
    expect(counters.bounced).toBe(1);
  });

  it('lets a campaign be deleted with everything it counts', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign } = await seedEnrollment(db, workspaceId, { steps: [{ delayDays: 0, subject: 's', bodyHtml: 'b' }] });
    await db.campaign.delete({ where: { id: campaign.id } });
    expect(await db.campaignCounters.count({ where: { campaignId: campaign.id } })).toBe(0);
  });
});
