-- CreateTable
CREATE TABLE "CampaignNewLeads" (
    "campaignId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "started" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "CampaignNewLeads_pkey" PRIMARY KEY ("campaignId","day")
);

-- CreateIndex
CREATE INDEX "Enrollment_senderAccountId_nextSendAt_idx" ON "Enrollment"("senderAccountId", "nextSendAt");

-- AddForeignKey
ALTER TABLE "CampaignNewLeads" ADD CONSTRAINT "CampaignNewLeads_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AlterTable
ALTER TABLE "SenderAccount" ADD COLUMN "lastSendAt" TIMESTAMPTZ(3);
