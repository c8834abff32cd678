import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db.js';
import { isTerminal } from '../../src/domain/enrollment-status.js';
import { newId } from '../../src/domain/ids.js';
import { newWorkspace, testDeps } from '../helpers/deps.js';
import { seedEnrollment } from '../helpers/fixtures.js';
import { race, type Statement } from '../helpers/race.js';


/**
 * The counters recomputed from the rows by the triggers' own rules (sequent_enrollment_counts and
 * sequent_message_counts, edge_counters migration): a bounce after delivery is no longer delivered.
 */
async function recount(db: Db, campaignId: string) {
  const enrollments = await db.enrollment.findMany({ where: { campaignId } });
  const messages = await db.message.findMany({ where: { campaignId } });
  return {
    enrolled: enrollments.length,
    finished: enrollments.filter((e) => isTerminal(e.status)).length,
    replied: enrollments.filter((e) => e.repliedAt).length,
    sent: messages.filter((m) => m.sentAt).length,
    delivered: messages.filter((m) => m.deliveredAt && m.status !== 'bounced').length,
    bounced: messages.filter((m) => m.status === 'bounced').length,
    complained: messages.filter((m) => m.complainedAt).length,
  };
}

const counters = (db: Db, campaignId: string) =>
  db.campaignCounters.findUniqueOrThrow({
    where: { campaignId },
    select: { enrolled: true, finished: true, replied: true, sent: true, delivered: true, bounced: true, complained: true },
  });

/** A running campaign with `n` enrolled leads, each with step 1 sent. */
async function sentCampaign(db: Db, n: number) {
  const { workspaceId } = await newWorkspace(db);
  const { campaign, lead, enrollment } = await seedEnrollment(db, workspaceId, { steps: [{ delayDays: 0, subject: 's', bodyHtml: 'b' }] });
  const more = Array.from({ length: n - 1 }, (_, i) => ({ id: newId('lead'), workspaceId, email: `r${i}-${campaign.id}@example.com` }));
  await db.lead.createMany({ data: more });
  const leads = [lead, ...more];
  const enrollments = [enrollment, ...leads.slice(1).map((l) => ({ id: newId('enr'), workspaceId, campaignId: campaign.id, leadId: l.id }))];
  await db.enrollment.createMany({ data: enrollments.slice(1) });
  await db.enrollment.updateMany({ where: { campaignId: campaign.id }, data: { status: 'active' } });
  const messages = enrollments.map((e, i) => ({
    id: newId('msg'), workspaceId, campaignId: campaign.id, enrollmentId: e.id, leadId: leads[i]!.id, stepNumber: 1, status: 'sent' as const,
    idempotencyKey: `${e.id}/1`, toEmail: leads[i]!.email, fromEmail: 'x@y.z', subject: 's', bodyHtml: 'b', sentAt: new Date(),
  }));
  await db.message.createMany({ data: messages });
  return { workspaceId, campaignId: campaign.id, enrollments: enrollments.map((e) => e.id), messages: messages.map((m) => m.id), leads: leads.map((l) => l.id) };
}

const sql = (text: string, ...values: unknown[]): Statement => ({ text, values });

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
    await db.enrollment.updateMany({ where: { id: { in: someActive.map((e) => e.id) } }, data: { status: 'replied', repliedAt: new Date() } });
    await db.enrollment.update({ where: { id: someActive[0]!.id }, data: { status: 'active' } }); // back from terminal

    const msg = (i: number, extra: object = {}) => ({
      id: newId('msg'), workspaceId, campaignId: campaign.id, enrollmentId: enrollment.id, leadId: lead.id, stepNumber: i,
      idempotencyKey: `${enrollment.id}/${i}`, toEmail: lead.email, fromEmail: 'x@y.z', subject: 's', bodyHtml: 'b', ...extra,
    });
    const delivered = { sentAt: new Date(), deliveredAt: new Date(), status: 'delivered' };
    await db.message.createMany({ data: [msg(1), msg(2, { sentAt: new Date(), status: 'sent' }), msg(3, delivered), msg(4, delivered), msg(5, delivered)] });
    await db.message.updateMany({ where: { campaignId: campaign.id, sentAt: null }, data: { sentAt: new Date(), status: 'sent' } });
    await db.message.updateMany({ where: { campaignId: campaign.id, stepNumber: 2 }, data: { status: 'bounced', bouncedAt: new Date() } });
    // A bounce after delivery (step 4) leaves it counted bounced, not delivered; a complaint counts apart.
    await db.message.updateMany({ where: { campaignId: campaign.id, stepNumber: 4 }, data: { status: 'bounced', bouncedAt: new Date() } });
    await db.message.updateMany({ where: { campaignId: campaign.id, stepNumber: 5 }, data: { complainedAt: new Date() } });
    await db.message.deleteMany({ where: { campaignId: campaign.id, stepNumber: 3 } });
    await db.enrollment.deleteMany({ where: { id: someActive[1]!.id } });

    expect(await counters(db, campaign.id)).toEqual(await recount(db, campaign.id));
    expect(await counters(db, campaign.id)).toMatchObject({ enrolled: 40, sent: 4, delivered: 1, bounced: 2, complained: 1, replied: 4 });
  });

  it('equal a recount after transactions race on the same rows, all in flight at once', async () => {
    const { db } = testDeps();
    const c = await sentCampaign(db, 8);
    const [m0, m1, m2, m3] = c.messages;
    const [e0, , , e3, e4, e5] = c.enrollments;
    const newLead = newId('lead');
    const newEnrollment = newId('enr');
    const outcomes = await race([
      // A delivery and a hard bounce of the same mail, in either order.
      [sql(`UPDATE "Message" SET status = 'delivered', "deliveredAt" = now() WHERE id = $1 AND status <> 'bounced'`, m0)],
      [sql(`UPDATE "Message" SET status = 'bounced', "bouncedAt" = now() WHERE id = $1`, m0)],
      // A delivery and a complaint of another.
      [sql(`UPDATE "Message" SET status = 'delivered', "deliveredAt" = now() WHERE id = $1`, m1)],
      [sql(`UPDATE "Message" SET "complainedAt" = now(), "deliveredAt" = COALESCE("deliveredAt", now()), status = 'delivered' WHERE id = $1`, m1)],
      // Two replies of one lead: the first counts.
      [sql(`UPDATE "Enrollment" SET "repliedAt" = COALESCE("repliedAt", now()), status = 'replied' WHERE id = $1`, e0)],
      [sql(`UPDATE "Enrollment" SET "repliedAt" = COALESCE("repliedAt", now()), status = 'replied' WHERE id = $1`, e0)],
      // A lead deleted while its mail is reported delivered.
      [sql(`DELETE FROM "Enrollment" WHERE id = $1`, e3)],
      [sql(`UPDATE "Message" SET status = 'delivered', "deliveredAt" = now() WHERE id = $1`, m3)],
      // A stop of every live lead while one of them is paused and another sends step 2.
      [sql(`UPDATE "Enrollment" SET status = 'stopped' WHERE "campaignId" = $1 AND status IN ('active', 'paused')`, c.campaignId)],
      [sql(`UPDATE "Enrollment" SET status = 'paused' WHERE id = $1`, e4)],
      [sql(`UPDATE "Message" SET status = 'bounced', "bouncedAt" = now() WHERE id = $1`, m2)],
      [
        sql(`INSERT INTO "Message" (id, "workspaceId", "campaignId", "enrollmentId", "leadId", "stepNumber", status, "idempotencyKey", "toEmail", "fromEmail", subject, "bodyHtml", "sentAt")
             SELECT $1, "workspaceId", "campaignId", id, "leadId", 2, 'sent', id || '/2', 'x@example.com', 'x@y.z', 's', 'b', now() FROM "Enrollment" WHERE id = $2`, newId('msg'), e5),
      ],
      // A lead enrolled and sent to in one transaction.
      [
        sql(`INSERT INTO "Lead" (id, "workspaceId", email, "customFields", "updatedAt") VALUES ($1, $2, $3, '{}', now())`, newLead, c.workspaceId, `${newLead}@example.com`),
        sql(`INSERT INTO "Enrollment" (id, "workspaceId", "campaignId", "leadId", status) VALUES ($1, $2, $3, $4, 'active')`, newEnrollment, c.workspaceId, c.campaignId, newLead),
        sql(`INSERT INTO "Message" (id, "workspaceId", "campaignId", "enrollmentId", "leadId", "stepNumber", status, "idempotencyKey", "toEmail", "fromEmail", subject, "bodyHtml", "sentAt", "deliveredAt")
             VALUES ($1, $2, $3, $4, $5, 1, 'delivered', $4 || '/1', 'x@example.com', 'x@y.z', 's', 'b', now(), now())`, newId('msg'), c.workspaceId, c.campaignId, newEnrollment, newLead),
      ],
    ]);
    expect(outcomes).toEqual(outcomes.map(() => null));
    const rows = await recount(db, c.campaignId);
    expect(await counters(db, c.campaignId)).toEqual(rows);
    // The two replies counted once; the deleted lead and its mail are gone from every count.
    expect(rows).toMatchObject({ enrolled: 8, replied: 1, sent: 9 });
  });

  it('lets a campaign be deleted with everything it counts', async () => {
    const { db } = testDeps();
    const { workspaceId } = await newWorkspace(db);
    const { campaign } = await seedEnrollment(db, workspaceId, { steps: [{ delayDays: 0, subject: 's', bodyHtml: 'b' }] });
    await db.campaign.delete({ where: { id: campaign.id } });
    expect(await db.campaignCounters.count({ where: { campaignId: campaign.id } })).toBe(0);
  });
});
