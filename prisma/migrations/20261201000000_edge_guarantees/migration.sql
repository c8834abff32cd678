-- AlterEnum: new values are committed here and used from the next migration on (PostgreSQL does
-- not let a transaction use an enum value it added).
ALTER TYPE "MessageStatus" ADD VALUE 'cancelled';
ALTER TYPE "MessageStatus" ADD VALUE 'unknown';
ALTER TYPE "SenderStatus" ADD VALUE 'error';

-- CreateEnum
CREATE TYPE "WaitReason" AS ENUM ('delay', 'window', 'capacity', 'pacing', 'daily_new_leads', 'campaign_paused', 'lead_paused', 'provider_retry', 'sender_unavailable');

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN "syncedStatus" "CampaignStatus";

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN "waitingFor" "WaitReason",
ADD COLUMN "waitingSince" TIMESTAMPTZ(3),
ADD COLUMN "repliedAt" TIMESTAMPTZ(3),
ADD COLUMN "capacityKey" TEXT,
ADD COLUMN "capacityDay" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN "unconfirmedSince" TIMESTAMPTZ(3),
ADD COLUMN "softBouncedAt" TIMESTAMPTZ(3),
ADD COLUMN "complainedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "CampaignCounters" ADD COLUMN "complained" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "SenderAccount" ADD COLUMN "lastError" TEXT,
ADD COLUMN "lastErrorAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "ProviderEvent" ADD COLUMN "pendingEmailId" TEXT,
ADD COLUMN "payload" JSONB;

-- CreateTable
CREATE TABLE "CapacityBooking" (
    "key" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "booked" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CapacityBooking_pkey" PRIMARY KEY ("key","day")
);

-- CreateIndex
CREATE INDEX "Message_providerId_idx" ON "Message"("providerId");

-- CreateIndex
CREATE INDEX "ProviderEvent_pendingEmailId_idx" ON "ProviderEvent"("pendingEmailId");

-- Campaigns that exist were synced by the code that created them.
UPDATE "Campaign" SET "syncedStatus" = status WHERE status <> 'draft';
