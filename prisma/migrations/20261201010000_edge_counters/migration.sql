-- Counters that stay exact on every path (SPEC §9): a bounce after delivery leaves `delivered`,
-- a complaint is its own count, and `replied` counts enrollments with a first counted reply
-- (Enrollment."repliedAt", set once under the row lock) instead of an increment racing replies.
CREATE OR REPLACE FUNCTION sequent_add_counts(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "CampaignCounters" AS c ("campaignId", enrolled, finished, sent, delivered, bounced, replied, complained, "updatedAt")
  SELECT d."campaignId", d.enrolled, d.finished, d.sent, d.delivered, d.bounced, d.replied, d.complained, now()
    FROM jsonb_to_recordset(deltas) AS d("campaignId" text, enrolled int, finished int, sent int, delivered int, bounced int,
                                         replied int, complained int)
   -- A campaign being deleted cascades to its rows; there is nothing left to count for it.
   WHERE EXISTS (SELECT 1 FROM "Campaign" WHERE id = d."campaignId")
     AND (d.enrolled <> 0 OR d.finished <> 0 OR d.sent <> 0 OR d.delivered <> 0 OR d.bounced <> 0 OR d.replied <> 0 OR d.complained <> 0)
  ON CONFLICT ("campaignId") DO UPDATE SET
    enrolled = c.enrolled + EXCLUDED.enrolled,
    finished = c.finished + EXCLUDED.finished,
    sent = c.sent + EXCLUDED.sent,
    delivered = c.delivered + EXCLUDED.delivered,
    bounced = c.bounced + EXCLUDED.bounced,
    replied = c.replied + EXCLUDED.replied,
    complained = c.complained + EXCLUDED.complained,
    "updatedAt" = now()
$$;

-- What each message and enrollment row contributes to its campaign's counters.
CREATE FUNCTION sequent_message_counts(m "Message") RETURNS int[] IMMUTABLE LANGUAGE sql AS $$
  SELECT ARRAY[
    (m."sentAt" IS NOT NULL)::int,
    (m."deliveredAt" IS NOT NULL AND m.status::text <> 'bounced')::int,
    (m.status::text = 'bounced')::int,
    (m."complainedAt" IS NOT NULL)::int]
$$;

CREATE FUNCTION sequent_enrollment_counts(e "Enrollment") RETURNS int[] IMMUTABLE LANGUAGE sql AS $$
  SELECT ARRAY[sequent_finished(e.status), (e."repliedAt" IS NOT NULL)::int]
$$;

CREATE OR REPLACE FUNCTION sequent_count_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", count(*)::int AS enrolled, sum((sequent_enrollment_counts(r))[1])::int AS finished,
             0 AS sent, 0 AS delivered, 0 AS bounced, sum((sequent_enrollment_counts(r))[2])::int AS replied, 0 AS complained
        FROM new_rows r GROUP BY "campaignId") x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT n."campaignId", 0 AS enrolled,
             sum((sequent_enrollment_counts(n))[1] - (sequent_enrollment_counts(o))[1])::int AS finished,
             0 AS sent, 0 AS delivered, 0 AS bounced,
             sum((sequent_enrollment_counts(n))[2] - (sequent_enrollment_counts(o))[2])::int AS replied, 0 AS complained
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE sequent_enrollment_counts(n) <> sequent_enrollment_counts(o)
       GROUP BY n."campaignId") x;
  ELSE
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", -count(*)::int AS enrolled, -sum((sequent_enrollment_counts(r))[1])::int AS finished,
             0 AS sent, 0 AS delivered, 0 AS bounced, -sum((sequent_enrollment_counts(r))[2])::int AS replied, 0 AS complained
        FROM old_rows r GROUP BY "campaignId") x;
  END IF;
  IF deltas IS NOT NULL THEN PERFORM sequent_add_counts(deltas); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION sequent_count_messages() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", 0 AS enrolled, 0 AS finished,
             sum(c[1])::int AS sent, sum(c[2])::int AS delivered, sum(c[3])::int AS bounced, 0 AS replied, sum(c[4])::int AS complained
        FROM (SELECT "campaignId", sequent_message_counts(r) AS c FROM new_rows r) r GROUP BY "campaignId") x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", 0 AS enrolled, 0 AS finished,
             sum(n[1] - o[1])::int AS sent, sum(n[2] - o[2])::int AS delivered, sum(n[3] - o[3])::int AS bounced,
             0 AS replied, sum(n[4] - o[4])::int AS complained
        FROM (SELECT nr."campaignId", sequent_message_counts(nr) AS n, sequent_message_counts(orow) AS o
                FROM new_rows nr JOIN old_rows orow ON orow.id = nr.id) d
       WHERE n <> o
       GROUP BY "campaignId") x;
  ELSE
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", 0 AS enrolled, 0 AS finished,
             -sum(c[1])::int AS sent, -sum(c[2])::int AS delivered, -sum(c[3])::int AS bounced, 0 AS replied, -sum(c[4])::int AS complained
        FROM (SELECT "campaignId", sequent_message_counts(r) AS c FROM old_rows r) r GROUP BY "campaignId") x;
  END IF;
  IF deltas IS NOT NULL THEN PERFORM sequent_add_counts(deltas); END IF;
  RETURN NULL;
END $$;

-- Existing replies mark their enrollments (before the counters are recomputed from the rows).
UPDATE "Enrollment" e SET "repliedAt" = r.first
  FROM (SELECT "campaignId", "leadId", min("receivedAt") AS first FROM "Reply"
         WHERE classification NOT IN ('out_of_office', 'bounce') AND "campaignId" IS NOT NULL
         GROUP BY "campaignId", "leadId") r
 WHERE e."campaignId" = r."campaignId" AND e."leadId" = r."leadId";

-- Complaints were stored as bounces with this reason; they become complaints of delivered mail.
UPDATE "Message" SET status = CASE WHEN "deliveredAt" IS NOT NULL THEN 'delivered'::"MessageStatus" ELSE 'sent'::"MessageStatus" END,
       "complainedAt" = "bouncedAt", "bouncedAt" = NULL
 WHERE status = 'bounced' AND "failureReason" = 'spam complaint';

-- Every counter recomputed from the rows under the new rules.
WITH e AS (
  SELECT "campaignId", count(*)::int AS enrolled, sum((sequent_enrollment_counts(x))[1])::int AS finished,
         sum((sequent_enrollment_counts(x))[2])::int AS replied
    FROM "Enrollment" x GROUP BY "campaignId"
), m AS (
  SELECT "campaignId", sum((sequent_message_counts(x))[1])::int AS sent, sum((sequent_message_counts(x))[2])::int AS delivered,
         sum((sequent_message_counts(x))[3])::int AS bounced, sum((sequent_message_counts(x))[4])::int AS complained
    FROM "Message" x GROUP BY "campaignId"
)
UPDATE "CampaignCounters" c SET
  enrolled = coalesce(e.enrolled, 0), finished = coalesce(e.finished, 0), replied = coalesce(e.replied, 0),
  sent = coalesce(m.sent, 0), delivered = coalesce(m.delivered, 0), bounced = coalesce(m.bounced, 0),
  complained = coalesce(m.complained, 0)
  FROM (SELECT "campaignId" FROM "CampaignCounters") k
  LEFT JOIN e ON e."campaignId" = k."campaignId"
  LEFT JOIN m ON m."campaignId" = k."campaignId"
 WHERE c."campaignId" = k."campaignId";
