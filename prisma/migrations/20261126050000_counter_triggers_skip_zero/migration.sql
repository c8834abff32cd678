-- A message row is inserted before it is sent, so its insert changes no count: skip such rows
-- instead of upserting a zero delta, which took the campaign's counter row lock on every send and
-- serialized concurrent sends of a campaign.
CREATE OR REPLACE FUNCTION sequent_add_counts(deltas jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "CampaignCounters" AS c ("campaignId", enrolled, finished, sent, delivered, bounced, "updatedAt")
  SELECT d."campaignId", d.enrolled, d.finished, d.sent, d.delivered, d.bounced, now()
    FROM jsonb_to_recordset(deltas) AS d("campaignId" text, enrolled int, finished int, sent int, delivered int, bounced int)
   -- A campaign being deleted cascades to its rows; there is nothing left to count for it.
   WHERE EXISTS (SELECT 1 FROM "Campaign" WHERE id = d."campaignId")
     AND (d.enrolled <> 0 OR d.finished <> 0 OR d.sent <> 0 OR d.delivered <> 0 OR d.bounced <> 0)
  ON CONFLICT ("campaignId") DO UPDATE SET
    enrolled = c.enrolled + EXCLUDED.enrolled,
    finished = c.finished + EXCLUDED.finished,
    sent = c.sent + EXCLUDED.sent,
    delivered = c.delivered + EXCLUDED.delivered,
    bounced = c.bounced + EXCLUDED.bounced,
    "updatedAt" = now()
$$;
