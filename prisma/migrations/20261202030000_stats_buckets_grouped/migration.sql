-- The bucket triggers sum a statement's facts per bucket before handing them on, so a statement
-- touching a million messages passes a few thousand sums, not two million facts.
CREATE OR REPLACE FUNCTION sequent_bucket_messages() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE facts jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", '') AS "variantId", s.bucket,
             sum(s.sent) AS sent, sum(s.delivered) AS delivered, sum(s.bounced) AS bounced, sum(s.complained) AS complained, sum(s.replied) AS replied
        FROM new_rows r, LATERAL sequent_message_stats(r) s GROUP BY 1, 2, 3, 4) x;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Only rows whose counted facts moved: most updates (a provider id, a retry) move none.
    WITH changed AS (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.status, n."sentAt", n."deliveredAt", n."bouncedAt", n."complainedAt", n."variantId")
             IS DISTINCT FROM (o.status, o."sentAt", o."deliveredAt", o."bouncedAt", o."complainedAt", o."variantId"))
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT "campaignId", "stepNumber", "variantId", bucket, sum(sent) AS sent, sum(delivered) AS delivered, sum(bounced) AS bounced,
             sum(complained) AS complained, sum(replied) AS replied
        FROM (
          SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", '') AS "variantId", s.*
            FROM new_rows r JOIN changed USING (id), LATERAL sequent_message_stats(r) s
          UNION ALL
          SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", ''), s.bucket, -s.sent, -s.delivered, -s.bounced, -s.complained, -s.replied
            FROM old_rows r JOIN changed USING (id), LATERAL sequent_message_stats(r) s) f
       GROUP BY 1, 2, 3, 4) x;
  ELSE
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", r."stepNumber", coalesce(r."variantId", '') AS "variantId", s.bucket,
             -sum(s.sent) AS sent, -sum(s.delivered) AS delivered, -sum(s.bounced) AS bounced, -sum(s.complained) AS complained, -sum(s.replied) AS replied
        FROM old_rows r, LATERAL sequent_message_stats(r) s GROUP BY 1, 2, 3, 4) x;
  END IF;
  IF facts IS NOT NULL THEN PERFORM sequent_add_stat_buckets(facts); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION sequent_bucket_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE facts jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", coalesce(r."repliedStep", 1) AS "stepNumber", coalesce(r."repliedVariantId", '') AS "variantId", s.bucket,
             0 AS sent, 0 AS delivered, 0 AS bounced, 0 AS complained, sum(s.replied) AS replied
        FROM new_rows r, LATERAL sequent_enrollment_stats(r) s GROUP BY 1, 2, 3, 4) x;
  ELSIF TG_OP = 'UPDATE' THEN
    WITH changed AS (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n."repliedAt", n."repliedStep", n."repliedVariantId") IS DISTINCT FROM (o."repliedAt", o."repliedStep", o."repliedVariantId"))
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT "campaignId", "stepNumber", "variantId", bucket, 0 AS sent, 0 AS delivered, 0 AS bounced, 0 AS complained, sum(replied) AS replied
        FROM (
          SELECT r."campaignId", coalesce(r."repliedStep", 1) AS "stepNumber", coalesce(r."repliedVariantId", '') AS "variantId", s.bucket, s.replied
            FROM new_rows r JOIN changed USING (id), LATERAL sequent_enrollment_stats(r) s
          UNION ALL
          SELECT r."campaignId", coalesce(r."repliedStep", 1), coalesce(r."repliedVariantId", ''), s.bucket, -s.replied
            FROM old_rows r JOIN changed USING (id), LATERAL sequent_enrollment_stats(r) s) f
       GROUP BY 1, 2, 3, 4) x;
  ELSE
    SELECT jsonb_agg(x) INTO facts FROM (
      SELECT r."campaignId", coalesce(r."repliedStep", 1) AS "stepNumber", coalesce(r."repliedVariantId", '') AS "variantId", s.bucket,
             0 AS sent, 0 AS delivered, 0 AS bounced, 0 AS complained, -sum(s.replied) AS replied
        FROM old_rows r, LATERAL sequent_enrollment_stats(r) s GROUP BY 1, 2, 3, 4) x;
  END IF;
  IF facts IS NOT NULL THEN PERFORM sequent_add_stat_buckets(facts); END IF;
  RETURN NULL;
END $$;
