-- SPEC §12 breakdowns: a message records the variant it was sent as, and an enrollment the step
-- (and variant) its first counted reply answered.
ALTER TABLE "Message" ADD COLUMN "variantId" TEXT;
ALTER TABLE "Enrollment" ADD COLUMN "repliedStep" INTEGER, ADD COLUMN "repliedVariantId" TEXT;

-- Per campaign, step, variant ('' for none) and quarter hour (UTC): what happened in it. Quarter
-- hours add up to a day in any time zone (every offset is a multiple of 15 minutes), so the day
-- breakdown follows the workspace's zone as it is when read. Kept by the triggers below in the
-- transaction of every change, like "CampaignCounters", whose totals the rows always sum to.
CREATE TABLE "CampaignStatsBucket" (
  "campaignId" TEXT NOT NULL,
  "bucket" TIMESTAMPTZ(3) NOT NULL,
  "stepNumber" INTEGER NOT NULL,
  "variantId" TEXT NOT NULL DEFAULT '',
  "sent" INTEGER NOT NULL DEFAULT 0,
  "delivered" INTEGER NOT NULL DEFAULT 0,
  "bounced" INTEGER NOT NULL DEFAULT 0,
  "complained" INTEGER NOT NULL DEFAULT 0,
  "replied" INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT "CampaignStatsBucket_pkey" PRIMARY KEY ("campaignId", "bucket", "stepNumber", "variantId"),
  CONSTRAINT "CampaignStatsBucket_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE FUNCTION sequent_bucket(t timestamptz) RETURNS timestamptz IMMUTABLE LANGUAGE sql AS $$
  SELECT to_timestamp(floor(extract(epoch FROM t) / 900) * 900)
$$;

-- Each counted fact of a message, in the quarter hour it happened (the same facts as
-- sequent_message_counts: sent, delivered and not bounced, bounced, complained).
CREATE FUNCTION sequent_message_stats(m "Message")
RETURNS TABLE (bucket timestamptz, sent int, delivered int, bounced int, complained int, replied int) IMMUTABLE LANGUAGE sql AS $$
  SELECT sequent_bucket(m."sentAt"), 1, 0, 0, 0, 0 WHERE m."sentAt" IS NOT NULL
  UNION ALL SELECT sequent_bucket(m."deliveredAt"), 0, 1, 0, 0, 0 WHERE m."deliveredAt" IS NOT NULL AND m.status::text <> 'bounced'
  UNION ALL SELECT sequent_bucket(coalesce(m."bouncedAt", m."sentAt", m."createdAt")), 0, 0, 1, 0, 0 WHERE m.status::text = 'bounced'
  UNION ALL SELECT sequent_bucket(m."complainedAt"), 0, 0, 0, 1, 0 WHERE m."complainedAt" IS NOT NULL
$$;

-- An enrollment's first counted reply, on the step it answered (step 1 when none was sent).
CREATE FUNCTION sequent_enrollment_stats(e "Enrollment")
RETURNS TABLE (bucket timestamptz, sent int, delivered int, bounced int, complained int, replied int) IMMUTABLE LANGUAGE sql AS $$
  SELECT sequent_bucket(e."repliedAt"), 0, 0, 0, 0, 1 WHERE e."repliedAt" IS NOT NULL
$$;

-- Adds signed facts ({campaignId, stepNumber, variantId, bucket, sent, ...}) to their buckets.
CREATE FUNCTION sequent_add_stat_buckets(facts jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "CampaignStatsBucket" AS b ("campaignId", bucket, "stepNumber", "variantId", sent, delivered, bounced, complained, replied)
  SELECT f."campaignId", f.bucket, f."stepNumber", f."variantId", sum(f.sent), sum(f.delivered), sum(f.bounced), sum(f.complained), sum(f.replied)
    FROM jsonb_to_recordset(facts) AS f("campaignId" text, bucket timestamptz, "stepNumber" int, "variantId" text,
                                        sent int, delivered int, bounced int, complained int, replied int)
   WHERE EXISTS (SELECT 1 FROM "Campaign" WHERE id = f."campaignId")
   GROUP BY 1, 2, 3, 4
  HAVING sum(f.sent) <> 0 OR sum(f.delivered) <> 0 OR sum(f.bounced) <> 0 OR sum(f.complained) <> 0 OR sum(f.replied) <> 0
   -- One statement's facts land in key order, so two writers never lock the same buckets crosswise.
   ORDER BY 1, 2, 3, 4
  ON CONFLICT ("campaignId", bucket, "stepNumber", "variantId") DO UPDATE SET
    sent = b.sent + EXCLUDED.sent, delivered = b.delivered + EXCLUDED.delivered, bounced = b.bounced + EXCLUDED.bounced,
    complained = b.complained + EXCLUDED.complained, replied = b.replied + EXCLUDED.replied
$$;

CREATE FUNCTION sequent_bucket_messages() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE facts jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", '') AS "variantId", s.* FROM new_rows r, LATERAL sequent_message_stats(r) s) x;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Only rows whose counted facts moved: most updates (a provider id, a retry) move none.
    WITH changed AS (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.status, n."sentAt", n."deliveredAt", n."bouncedAt", n."complainedAt", n."variantId")
             IS DISTINCT FROM (o.status, o."sentAt", o."deliveredAt", o."bouncedAt", o."complainedAt", o."variantId"))
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", '') AS "variantId", s.*
        FROM new_rows r JOIN changed USING (id), LATERAL sequent_message_stats(r) s
      UNION ALL
      SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", ''), s.bucket, -s.sent, -s.delivered, -s.bounced, -s.complained, -s.replied
        FROM old_rows r JOIN changed USING (id), LATERAL sequent_message_stats(r) s) x;
  ELSE
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", '') AS "variantId", s.bucket, -s.sent AS sent, -s.delivered AS delivered,
             -s.bounced AS bounced, -s.complained AS complained, -s.replied AS replied
        FROM old_rows r, LATERAL sequent_message_stats(r) s) x;
  END IF;
  IF facts IS NOT NULL THEN PERFORM sequent_add_stat_buckets(facts); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION sequent_bucket_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE facts jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", coalesce(r."repliedStep", 1) AS "stepNumber", coalesce(r."repliedVariantId", '') AS "variantId", s.*
        FROM new_rows r, LATERAL sequent_enrollment_stats(r) s) x;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH changed AS (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n."repliedAt", n."repliedStep", n."repliedVariantId") IS DISTINCT FROM (o."repliedAt", o."repliedStep", o."repliedVariantId"))
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", coalesce(r."repliedStep", 1) AS "stepNumber", coalesce(r."repliedVariantId", '') AS "variantId", s.*
        FROM new_rows r JOIN changed USING (id), LATERAL sequent_enrollment_stats(r) s
      UNION ALL
      SELECT r."campaignId", coalesce(r."repliedStep", 1), coalesce(r."repliedVariantId", ''), s.bucket, 0, 0, 0, 0, -s.replied
        FROM old_rows r JOIN changed USING (id), LATERAL sequent_enrollment_stats(r) s) x;
  ELSE
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", coalesce(r."repliedStep", 1) AS "stepNumber", coalesce(r."repliedVariantId", '') AS "variantId", s.bucket,
             0 AS sent, 0 AS delivered, 0 AS bounced, 0 AS complained, -s.replied AS replied
        FROM old_rows r, LATERAL sequent_enrollment_stats(r) s) x;
  END IF;
  IF facts IS NOT NULL THEN PERFORM sequent_add_stat_buckets(facts); END IF;
  RETURN NULL;
END $$;

-- What is already there: replies answer the step of the last mail sent before them.
UPDATE "Enrollment" e SET "repliedStep" = (
  SELECT "stepNumber" FROM "Message" WHERE "enrollmentId" = e.id AND "sentAt" IS NOT NULL AND "sentAt" <= e."repliedAt"
   ORDER BY "stepNumber" DESC LIMIT 1)
 WHERE e."repliedAt" IS NOT NULL;
INSERT INTO "CampaignStatsBucket" ("campaignId", bucket, "stepNumber", "variantId", sent, delivered, bounced, complained, replied)
SELECT "campaignId", bucket, "stepNumber", "variantId", sum(sent), sum(delivered), sum(bounced), sum(complained), sum(replied)
  FROM (SELECT r."campaignId", r."stepNumber", '' AS "variantId", s.* FROM "Message" r, LATERAL sequent_message_stats(r) s
        UNION ALL
        SELECT r."campaignId", coalesce(r."repliedStep", 1), '', s.* FROM "Enrollment" r, LATERAL sequent_enrollment_stats(r) s) f
 GROUP BY 1, 2, 3, 4;

-- Named to fire after the *_counts triggers (alphabetical order): every writer locks the
-- campaign's counters row first, then its buckets.
CREATE TRIGGER message_stats_insert AFTER INSERT ON "Message" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_bucket_messages();
CREATE TRIGGER message_stats_update AFTER UPDATE ON "Message" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_bucket_messages();
CREATE TRIGGER message_stats_delete AFTER DELETE ON "Message" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_bucket_messages();
CREATE TRIGGER enrollment_stats_insert AFTER INSERT ON "Enrollment" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_bucket_enrollments();
CREATE TRIGGER enrollment_stats_update AFTER UPDATE ON "Enrollment" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_bucket_enrollments();
CREATE TRIGGER enrollment_stats_delete AFTER DELETE ON "Enrollment" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_bucket_enrollments();
