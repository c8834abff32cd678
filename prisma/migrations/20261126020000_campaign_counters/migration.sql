-- AlterTable
ALTER TABLE "CampaignCounters" ADD COLUMN "enrolled" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "finished" INTEGER NOT NULL DEFAULT 0;

-- Counters kept by statement-level triggers: one aggregate upsert per statement (a 10,000-lead
-- bulk insert costs one counter update), in the same transaction as the change it counts.
CREATE FUNCTION sequent_finished(s "EnrollmentStatus") RETURNS integer IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE WHEN s IN ('completed', 'replied', 'bounced', 'unsubscribed', 'stopped', 'failed') THEN 1 ELSE 0 END
$$;

CREATE FUNCTION sequent_add_counts(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "CampaignCounters" AS c ("campaignId", enrolled, finished, sent, delivered, bounced, "updatedAt")
  SELECT d."campaignId", d.enrolled, d.finished, d.sent, d.delivered, d.bounced, now()
    FROM jsonb_to_recordset(deltas) AS d("campaignId" text, enrolled int, finished int, sent int, delivered int, bounced int)
   -- A campaign being deleted cascades to its rows; there is nothing left to count for it.
   WHERE EXISTS (SELECT 1 FROM "Campaign" WHERE id = d."campaignId")
  ON CONFLICT ("campaignId") DO UPDATE SET
    enrolled = c.enrolled + EXCLUDED.enrolled,
    finished = c.finished + EXCLUDED.finished,
    sent = c.sent + EXCLUDED.sent,
    delivered = c.delivered + EXCLUDED.delivered,
    bounced = c.bounced + EXCLUDED.bounced,
    "updatedAt" = now()
$$;

CREATE FUNCTION sequent_count_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", count(*)::int AS enrolled, sum(sequent_finished(status))::int AS finished, 0 AS sent, 0 AS delivered, 0 AS bounced
        FROM new_rows GROUP BY "campaignId") x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT n."campaignId", 0 AS enrolled, sum(sequent_finished(n.status) - sequent_finished(o.status))::int AS finished, 0 AS sent, 0 AS delivered, 0 AS bounced
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE sequent_finished(n.status) <> sequent_finished(o.status)
       GROUP BY n."campaignId") x;
  ELSE
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", -count(*)::int AS enrolled, -sum(sequent_finished(status))::int AS finished, 0 AS sent, 0 AS delivered, 0 AS bounced
        FROM old_rows GROUP BY "campaignId") x;
  END IF;
  IF deltas IS NOT NULL THEN PERFORM sequent_add_counts(deltas); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION sequent_count_messages() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE deltas jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", 0 AS enrolled, 0 AS finished,
             count("sentAt")::int AS sent, count("deliveredAt")::int AS delivered,
             count(*) FILTER (WHERE status = 'bounced')::int AS bounced
        FROM new_rows GROUP BY "campaignId") x;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT n."campaignId", 0 AS enrolled, 0 AS finished,
             sum((n."sentAt" IS NOT NULL)::int - (o."sentAt" IS NOT NULL)::int)::int AS sent,
             sum((n."deliveredAt" IS NOT NULL)::int - (o."deliveredAt" IS NOT NULL)::int)::int AS delivered,
             sum((n.status = 'bounced')::int - (o.status = 'bounced')::int)::int AS bounced
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n."sentAt" IS NULL) <> (o."sentAt" IS NULL) OR (n."deliveredAt" IS NULL) <> (o."deliveredAt" IS NULL)
          OR (n.status = 'bounced') <> (o.status = 'bounced')
       GROUP BY n."campaignId") x;
  ELSE
    SELECT jsonb_agg(x) INTO deltas FROM (
      SELECT "campaignId", 0 AS enrolled, 0 AS finished,
             -count("sentAt")::int AS sent, -count("deliveredAt")::int AS delivered,
             -(count(*) FILTER (WHERE status = 'bounced'))::int AS bounced
        FROM old_rows GROUP BY "campaignId") x;
  END IF;
  IF deltas IS NOT NULL THEN PERFORM sequent_add_counts(deltas); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER enrollment_counts_insert AFTER INSERT ON "Enrollment" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_enrollments();
CREATE TRIGGER enrollment_counts_update AFTER UPDATE ON "Enrollment" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_enrollments();
CREATE TRIGGER enrollment_counts_delete AFTER DELETE ON "Enrollment" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_enrollments();
CREATE TRIGGER message_counts_insert AFTER INSERT ON "Message" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_messages();
CREATE TRIGGER message_counts_update AFTER UPDATE ON "Message" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_messages();
CREATE TRIGGER message_counts_delete AFTER DELETE ON "Message" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_messages();
