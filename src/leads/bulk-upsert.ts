import { retryOnConflict, type Tx } from '../db.js';
import { newId } from '../domain/ids.js';
import { requireCampaign } from '../campaigns/require-campaign.js';
import type { ServiceDeps } from '../services.js';
import { emitEnrollmentEvents } from '../webhooks/events.js';

const STANDARD = ['firstName', 'lastName', 'company', 'jobTitle', 'timezone'] as const;
type Scalar = string | number | boolean | null;
export type LeadInput = { email: string; customFields?: Record<string, Scalar> | undefined } & Record<string, unknown>;

type Row = {
  leadId: string;
  enrollmentId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  jobTitle: string | null;
  timezone: string | null;
  customFields: Record<string, Scalar>;
  /** The standard fields the request carried: only those overwrite an existing lead. */
  present: string[];
};

/** A row of the request merged into an earlier one with the same email (`index` and `into` count from 0). */
export type MergedRow = { index: number; email: string; into: number };

function rowOf(lead: LeadInput): Row {
  const custom: Record<string, Scalar> = {};
  for (const [key, value] of Object.entries(lead)) {
    if (key !== 'email' && key !== 'customFields' && !(STANDARD as readonly string[]).includes(key)) custom[key] = value as Scalar;
  }
  Object.assign(custom, lead.customFields ?? {});
  const field = (name: (typeof STANDARD)[number]) => (lead[name] as string | null | undefined) ?? null;
  return {
    leadId: newId('lead'),
    enrollmentId: newId('enr'),
    email: lead.email,
    firstName: field('firstName'),
    lastName: field('lastName'),
    company: field('company'),
    jobTitle: field('jobTitle'),
    timezone: field('timezone'),
    customFields: custom,
    present: STANDARD.filter((f) => f in lead),
  };
}

/** A later row of the same email, merged as a later call would be: its given fields win, the rest are kept. */
function mergeInto(earlier: Row, later: Row): Row {
  const merged: Row = { ...earlier, customFields: { ...earlier.customFields, ...later.customFields }, present: [...new Set([...earlier.present, ...later.present])] };
  for (const f of later.present as (typeof STANDARD)[number][]) merged[f] = later[f];
  return merged;
}

/**
 * One row per email. The same email twice in one request merges field by field, as two calls in a
 * row would (decision 88): replacing the earlier row whole dropped what only it carried.
 */
function toRows(leads: LeadInput[], indexes: number[]): { rows: Row[]; merged: MergedRow[] } {
  const byEmail = new Map<string, { row: Row; index: number }>();
  const merged: MergedRow[] = [];
  leads.forEach((lead, i) => {
    const index = indexes[i] ?? i;
    const row = rowOf(lead);
    const earlier = byEmail.get(lead.email);
    if (earlier) merged.push({ index, email: lead.email, into: earlier.index });
    byEmail.set(lead.email, earlier ? { row: mergeInto(earlier.row, row), index: earlier.index } : { row, index });
  });
  // One order for every request: concurrent calls over the same leads then lock them in the same
  // order and queue behind each other instead of deadlocking.
  const rows = [...byEmail.values()].map((e) => e.row).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  return { rows, merged };
}

/**
 * SPEC §3 in one transaction: create new leads, overwrite only the fields an existing lead's entry
 * carries, enroll every lead not yet in the campaign at step 1 (keeping the position of those
 * already in it), skip suppressed addresses. Set-based SQL keeps 10,000 leads to a few statements.
 */
export type LeadOutcome = { email: string; leadId: string | null; outcome: 'created' | 'updated' | 'skipped'; enrolled: boolean; reason?: 'suppressed' };

export async function bulkUpsertLeads(
  { db, orchestrator, now }: ServiceDeps,
  workspaceId: string,
  campaignId: string,
  leads: LeadInput[],
  options: { returnLeads?: boolean; /** Each lead's index in the request, when some rows were left out before. */ indexes?: number[] } = {},
) {
  const { rows, merged } = toRows(leads, options.indexes ?? []);
  const result = await retryOnConflict(() => db.$transaction(
    async (tx) => {
      // FOR SHARE: a concurrent start waits for this to commit, then its sweep sees these leads.
      const campaign = await requireCampaign(tx, workspaceId, campaignId, { lock: 'share' });
      const at = now();

      const suppressed = new Set(
        (
          await tx.$queryRaw<{ email: string }[]>`
            SELECT email FROM "Suppression" WHERE "workspaceId" = ${workspaceId} AND email = ANY(${rows.map((r) => r.email)}::text[])`
        ).map((r) => r.email),
      );
      const accepted = rows.filter((r) => !suppressed.has(r.email));
      const input = JSON.stringify(accepted);

      // Existing leads are locked up front, in email order; the statements below then find them held.
      await tx.$queryRaw`
        SELECT 1 FROM "Lead" WHERE "workspaceId" = ${workspaceId} AND email = ANY(${accepted.map((r) => r.email)}::text[])
         ORDER BY email FOR UPDATE`;

      const created = await tx.$queryRaw<{ email: string }[]>`
        INSERT INTO "Lead" (id, "workspaceId", email, "firstName", "lastName", company, "jobTitle", timezone, "customFields", "createdAt", "updatedAt")
        SELECT x."leadId", ${workspaceId}, x.email, x."firstName", x."lastName", x.company, x."jobTitle", x.timezone, x."customFields", now(), now()
          FROM jsonb_to_recordset(${input}::jsonb) AS x("leadId" text, email text, "firstName" text, "lastName" text,
                                                        company text, "jobTitle" text, timezone text, "customFields" jsonb)
         ORDER BY x.email
        ON CONFLICT ("workspaceId", email) DO NOTHING
        RETURNING email`;

      await tx.$executeRaw`
        UPDATE "Lead" AS l SET
          "firstName" = CASE WHEN 'firstName' = ANY(x.present) THEN x."firstName" ELSE l."firstName" END,
          "lastName"  = CASE WHEN 'lastName'  = ANY(x.present) THEN x."lastName"  ELSE l."lastName"  END,
          company     = CASE WHEN 'company'   = ANY(x.present) THEN x.company     ELSE l.company     END,
          "jobTitle"  = CASE WHEN 'jobTitle'  = ANY(x.present) THEN x."jobTitle"  ELSE l."jobTitle"  END,
          timezone    = CASE WHEN 'timezone'  = ANY(x.present) THEN x.timezone    ELSE l.timezone    END,
          "customFields" = l."customFields" || x."customFields",
          "updatedAt" = now()
          FROM jsonb_to_recordset(${input}::jsonb) AS x("leadId" text, email text, "firstName" text, "lastName" text,
                                                        company text, "jobTitle" text, timezone text, "customFields" jsonb, present text[])
         WHERE l."workspaceId" = ${workspaceId} AND l.email = x.email AND l.id <> x."leadId"`;

      // Into a running campaign a lead is active at once, its first step planned; otherwise it
      // waits for the start (pending).
      const running = campaign.status === 'running';
      const firstDelay = running ? ((await tx.sequenceStep.findUnique({ where: { campaignId_stepNumber: { campaignId, stepNumber: 1 } } }))?.delayDays ?? 0) : 0;
      const enrolled = await tx.$queryRaw<{ id: string; leadId: string }[]>`
        INSERT INTO "Enrollment" (id, "workspaceId", "campaignId", "leadId", status, "currentStep", "enrolledAt", "waitingFor", "waitingSince", "nextSendAt")
        SELECT x."enrollmentId", ${workspaceId}, ${campaignId}, l.id, ${running ? 'active' : 'pending'}::"EnrollmentStatus", 0, ${at},
               ${running ? 'delay' : null}::"WaitReason", ${running ? at : null}::timestamptz,
               CASE WHEN ${running} THEN ${at}::timestamptz + make_interval(days => ${firstDelay}) END
          FROM jsonb_to_recordset(${input}::jsonb) AS x("enrollmentId" text, email text)
          JOIN "Lead" l ON l."workspaceId" = ${workspaceId} AND l.email = x.email
         ORDER BY x.email
        ON CONFLICT ("campaignId", "leadId") DO NOTHING
        RETURNING id, "leadId"`;
      await emitEnrollmentEvents(tx, workspaceId, 'lead.enrolled', enrolled.map((e) => e.id), { status: running ? 'active' : 'pending' });

      const outcomes = options.returnLeads ? await outcomesOf(tx, workspaceId, rows, suppressed, created, enrolled) : undefined;
      return { status: campaign.status, created: created.length, accepted: accepted.length, skipped: rows.length - accepted.length, outcomes };
    },
    { timeout: 120_000, maxWait: 10_000 },
  ));

  // Also when nothing new was enrolled: a bulk call retried after its sync failed (a 503, a lost
  // answer) still starts every enrollment it wrote the first time.
  if (result.status === 'running') await orchestrator.requestCampaignSync(campaignId);
  const updated = result.accepted - result.created;
  return { enrolled: result.created, updated, skipped: result.skipped, total: result.created + updated, merged, ...(result.outcomes ? { leads: result.outcomes } : {}) };
}

/** Per lead (one per email, in email order): what the call did with it. */
async function outcomesOf(tx: Tx, workspaceId: string, rows: { email: string }[], suppressed: Set<string>, created: { email: string }[], enrolled: { leadId: string }[]): Promise<LeadOutcome[]> {
  const ids = new Map(
    (await tx.lead.findMany({ where: { workspaceId, email: { in: rows.map((r) => r.email) } }, select: { id: true, email: true } })).map((l) => [l.email, l.id]),
  );
  const isNew = new Set(created.map((c) => c.email));
  const newlyEnrolled = new Set(enrolled.map((e) => e.leadId));
  return rows.map(({ email }): LeadOutcome => {
    const leadId = ids.get(email) ?? null;
    if (suppressed.has(email)) return { email, leadId, outcome: 'skipped', enrolled: false, reason: 'suppressed' };
    return { email, leadId, outcome: isNew.has(email) ? 'created' : 'updated', enrolled: leadId !== null && newlyEnrolled.has(leadId) };
  });
}
