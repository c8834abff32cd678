-- Caps are caps on the day a mail leaves (SPEC §9): each unsent message records the day and the
-- sender whose capacity it holds (and whether it holds a dailyNewLeads place), so a step carried
-- over a day moves its reservation to the day it actually reaches the provider.

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "senderAccountId" TEXT,
ADD COLUMN "reservedDay" TEXT,
ADD COLUMN "reservedAt" TIMESTAMPTZ(3),
ADD COLUMN "newLeadCounted" BOOLEAN NOT NULL DEFAULT false;

-- Steps claimed and not sent yet hold what their claim reserved: the workspace day of the claim,
-- the lead's sender, and a new-lead place for a first step of a campaign with dailyNewLeads.
UPDATE "Message" m
   SET "senderAccountId" = e."senderAccountId",
       "reservedDay" = to_char(m."createdAt" AT TIME ZONE w.timezone, 'YYYY-MM-DD'),
       "reservedAt" = m."createdAt",
       "newLeadCounted" = (m."stepNumber" = 1 AND c.settings ->> 'dailyNewLeads' IS NOT NULL)
  FROM "Enrollment" e, "Workspace" w, "Campaign" c
 WHERE m.status = 'sending' AND e.id = m."enrollmentId" AND w.id = m."workspaceId" AND c.id = m."campaignId";
