-- CreateEnum
CREATE TYPE "PauseReason" AS ENUM ('manual', 'bounce_rate_exceeded', 'complaint_rate_exceeded', 'workspace_bounce_rate_exceeded', 'workspace_complaint_rate_exceeded');

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "pauseReason" "PauseReason",
ADD COLUMN "autoPauseArmedAt" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "WorkspaceDailyCounts" (
    "workspaceId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "bounced" INTEGER NOT NULL DEFAULT 0,
    "complained" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "WorkspaceDailyCounts_pkey" PRIMARY KEY ("workspaceId","day")
);

UPDATE "Campaign" SET "pauseReason" = 'manual' WHERE status = 'paused';

-- The workspace's per-day counts move with its messages, in the same statement-level trigger as
-- the campaign counters: a send counts on the day it was sent, a bounce or complaint on the day
-- it arrived.
CREATE FUNCTION sequent_add_workspace_days(rows jsonb) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "WorkspaceDailyCounts" AS w ("workspaceId", day, sent, bounced, complained)
  SELECT r."workspaceId", r.day, sum(r.sent)::int, sum(r.bounced)::int, sum(r.complained)::int
    FROM jsonb_to_recordset(rows) AS r("workspaceId" text, day text, sent int, bounced int, complained int)
   WHERE r.day IS NOT NULL AND (r.sent <> 0 OR r.bounced <> 0 OR r.complained <> 0)
     AND EXISTS (SELECT 1 FROM "Workspace" WHERE id = r."workspaceId")
   GROUP BY r."workspaceId", r.day
  ON CONFLICT ("workspaceId", day) DO UPDATE SET
    sent = w.sent + EXCLUDED.sent, bounced = w.bounced + EXCLUDED.bounced, complained = w.complained + EXCLUDED.complained
$$;

CREATE FUNCTION sequent_count_workspace_days() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rows jsonb;
BEGIN
  -- Only changes count (a message inserted unsent, or updated without a flip, adds nothing).
  SELECT jsonb_agg(x) INTO rows FROM (
    SELECT n."workspaceId", to_char(n."sentAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 1 AS sent, 0 AS bounced, 0 AS complained
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n."sentAt" IS NOT NULL AND o."sentAt" IS NULL
    UNION ALL
    SELECT n."workspaceId", to_char(COALESCE(n."bouncedAt", now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 0, 1, 0
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.status = 'bounced' AND o.status <> 'bounced'
    UNION ALL
    SELECT n."workspaceId", to_char(n."complainedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 0, 0, 1
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n."complainedAt" IS NOT NULL AND o."complainedAt" IS NULL) x;
  IF rows IS NOT NULL THEN PERFORM sequent_add_workspace_days(rows); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION sequent_count_workspace_days_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE rows jsonb;
BEGIN
  SELECT jsonb_agg(x) INTO rows FROM (
    SELECT "workspaceId", to_char("sentAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 1 AS sent, 0 AS bounced, 0 AS complained
      FROM new_rows WHERE "sentAt" IS NOT NULL) x;
  IF rows IS NOT NULL THEN PERFORM sequent_add_workspace_days(rows); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER message_workspace_days_update AFTER UPDATE ON "Message" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_workspace_days();
CREATE TRIGGER message_workspace_days_insert AFTER INSERT ON "Message" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sequent_count_workspace_days_insert();

-- The last week's history, so the guard judges a workspace by what it already sent.
INSERT INTO "WorkspaceDailyCounts" ("workspaceId", day, sent, bounced, complained)
SELECT "workspaceId", day, sum(sent)::int, sum(bounced)::int, sum(complained)::int FROM (
  SELECT "workspaceId", to_char("sentAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 1 AS sent, 0 AS bounced, 0 AS complained
    FROM "Message" WHERE "sentAt" >= now() - interval '8 days'
  UNION ALL
  SELECT "workspaceId", to_char("bouncedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 0, 1, 0
    FROM "Message" WHERE status = 'bounced' AND "bouncedAt" >= now() - interval '8 days'
  UNION ALL
  SELECT "workspaceId", to_char("complainedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 0, 0, 1
    FROM "Message" WHERE "complainedAt" >= now() - interval '8 days') x
GROUP BY "workspaceId", day;
