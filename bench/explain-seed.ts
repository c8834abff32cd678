// The scratch database of `bench/explain.ts`, filled set-based (generate_series): 1,000,000
// messages of 500,000 leads in 200 campaigns of 10 workspaces, with the events they leave. One
// workspace holds half of everything (a large customer beside smaller ones), and campaign sizes are
// skewed (within a workspace the first campaigns are the largest), as they are in practice.
import type pg from 'pg';

export const SHAPE = { workspaces: 10, campaigns: 200, leads: 500_000 } as const;

/** What the queries are run for: in the large workspace, its largest campaign and one of its leads. */
export const TARGET = {
  workspaceId: 'ws_0',
  campaignId: 'camp_0',
  /** Lead 250,000 is in ws_0 with two messages (g % 3 = 1); the replier is the first lead from it on at a company domain. */
  leadNumber: 250_000,
} as const;

// Lead g's workspace: even leads in ws_0, the odd ones spread over the other nine.
const WS = `(CASE WHEN g % 2 = 0 THEN 0 ELSE 1 + g % 9 END)`;
// Its campaign among its workspace's 20 (ids ws, ws + 10, …): a squared uniform draw skews the
// leads towards the first ones, so camp_0 holds about a fifth of ws_0's leads.
const CAMPAIGN = `(${WS} + 10 * floor(20 * power((abs(hashint4(g)) % 1000) / 1000.0, 2))::int)`;
// About 40,000 company domains of a dozen leads each; one lead in five on a free-mail domain.
const DOMAIN = `(CASE WHEN abs(hashint4(g + 7)) % 5 = 0 THEN 'gmail.com' ELSE 'co' || abs(hashint4(g + 13)) % 40000 || '.example' END)`;

const STATEMENTS = [
  `INSERT INTO "Workspace" (id, name) SELECT 'ws_' || w, 'Workspace ' || w FROM generate_series(0, ${SHAPE.workspaces - 1}) w`,
  `INSERT INTO "Campaign" (id, "workspaceId", name, status, "startedAt")
   SELECT 'camp_' || c, 'ws_' || c % 10, 'Campaign ' || c, 'running', now() - interval '30 days' FROM generate_series(0, ${SHAPE.campaigns - 1}) c`,
  `INSERT INTO "SenderAccount" (id, "workspaceId", email, name, "dailyLimit")
   SELECT 'snd_' || w || '_' || s, 'ws_' || w, 's' || s || '@sender' || w || '.example', 'Sender', 500
     FROM generate_series(0, ${SHAPE.workspaces - 1}) w, generate_series(1, 5) s`,
  `INSERT INTO "Lead" (id, "workspaceId", email, "firstName", "customFields")
   SELECT 'lead_' || g, 'ws_' || ${WS}, 'l' || g || '@' || ${DOMAIN}, 'F', '{}' FROM generate_series(1, ${SHAPE.leads}) g`,
  // Statuses and waits spread as a running campaign's are; g % 3 + 1 messages per lead (two on average).
  `INSERT INTO "Enrollment" (id, "workspaceId", "campaignId", "leadId", status, "currentStep", "enrolledAt", "workflowStartedAt",
                             "waitingFor", "waitingSince", "nextSendAt", "senderAccountId")
   SELECT 'enr_' || g, 'ws_' || ${WS}, 'camp_' || ${CAMPAIGN}, 'lead_' || g,
          (CASE WHEN r < 40 THEN 'active' WHEN r < 70 THEN 'completed' WHEN r < 80 THEN 'replied' WHEN r < 85 THEN 'bounced'
                WHEN r < 90 THEN 'paused' WHEN r < 95 THEN 'stopped' ELSE 'pending' END)::"EnrollmentStatus",
          g % 3 + 1, now() - interval '20 days', now() - interval '20 days',
          (CASE WHEN r >= 40 THEN NULL WHEN r < 24 THEN 'delay' WHEN r < 30 THEN 'window' WHEN r < 34 THEN 'capacity'
                WHEN r < 36 THEN 'pacing' WHEN r < 38 THEN 'provider_retry' END)::"WaitReason",
          CASE WHEN r < 38 THEN now() - (r % 7) * interval '1 day' END, CASE WHEN r < 38 THEN now() + (g % 72) * interval '1 hour' END,
          'snd_' || ${WS} || '_' || (1 + g % 5)
     FROM generate_series(1, ${SHAPE.leads}) g, LATERAL (SELECT abs(hashint4(g + 3)) % 100 AS r) x`,
  `INSERT INTO "Message" (id, "workspaceId", "campaignId", "enrollmentId", "leadId", "stepNumber", status, "idempotencyKey",
                          "toEmail", "fromEmail", subject, "bodyHtml", "providerId", "createdAt", "sentAt", "deliveredAt")
   SELECT 'msg_' || e.g || '_' || s, e."workspaceId", e."campaignId", e.id, e."leadId", s,
          (CASE WHEN (e.g + s) % 20 = 0 THEN 'bounced' ELSE 'delivered' END)::"MessageStatus", e.id || '/' || s,
          'l' || e.g || '@example.com', 'sender@example.com', 'Hi', '<p>Hi</p>', 're_' || e.g || '_' || s, t, t, t
     FROM (SELECT substr(id, 5)::int AS g, * FROM "Enrollment") e, generate_series(1, e.g % 3 + 1) s,
          LATERAL (SELECT now() - interval '20 days' + s * interval '3 days' + (e.g % 1440) * interval '1 minute' AS t) ts`,
  // Each message leaves message.sent, then message.delivered or message.bounced, in the shape
  // emitEvent writes them (messageEventData); a completed lead leaves lead.completed.
  `INSERT INTO "Event" (id, "workspaceId", type, data, "createdAt", "dispatchedAt")
   SELECT 'evt_' || m.id || '_' || k, m."workspaceId", t.type,
          jsonb_build_object('messageId', m.id, 'campaignId', m."campaignId", 'leadId', m."leadId", 'email', m."toEmail",
                             'sequenceStep', m."stepNumber", 'variantId', NULL),
          m."sentAt", m."sentAt"
     FROM "Message" m, LATERAL (VALUES (1, 'message.sent'), (2, CASE WHEN m.status = 'bounced' THEN 'message.bounced' ELSE 'message.delivered' END)) t(k, type)`,
  `INSERT INTO "Event" (id, "workspaceId", type, data, "createdAt", "dispatchedAt")
   SELECT 'evt_' || e.id || '_done', e."workspaceId", 'lead.completed', jsonb_build_object('campaignId', e."campaignId", 'leadId', e."leadId"), now(), now()
     FROM "Enrollment" e WHERE e.status = 'completed'`,
];

/**
 * Fills the database. Triggers are off for the session (session_replication_role = replica): the
 * counters they keep are not what is measured here, and with them the fill takes minutes longer.
 */
export async function seed(client: pg.Client, log: (line: string) => void): Promise<void> {
  await client.query('SET session_replication_role = replica');
  for (const sql of STATEMENTS) {
    const t0 = performance.now();
    const { rowCount } = await client.query(sql);
    log(`  ${String(rowCount).padStart(9)} rows  ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${sql.match(/INSERT INTO "(\w+)"/)![1]}`);
  }
  await client.query('SET session_replication_role = DEFAULT');
}
