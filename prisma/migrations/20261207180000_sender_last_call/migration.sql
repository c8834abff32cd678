-- Pacing holds at the provider (SPEC §9, §10): each paced account records when its last provider
-- call began, and a call comes no closer than minGapSeconds after it, whenever it was claimed.

-- AlterTable
ALTER TABLE "SenderAccount" ADD COLUMN "lastCallAt" TIMESTAMPTZ(3);
