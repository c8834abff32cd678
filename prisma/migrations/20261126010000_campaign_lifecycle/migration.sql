-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN "workflowStartedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "CampaignCounters" (
    "campaignId" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "bounced" INTEGER NOT NULL DEFAULT 0,
    "replied" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CampaignCounters_pkey" PRIMARY KEY ("campaignId")
);

-- CreateTable
CREATE TABLE "Suppression" (
    "workspaceId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("workspaceId","email")
);


-- CreateIndex
CREATE INDEX "Enrollment_campaignId_id_idx" ON "Enrollment"("campaignId", "id");

-- AddForeignKey
ALTER TABLE "CampaignCounters" ADD CONSTRAINT "CampaignCounters_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Suppression" ADD CONSTRAINT "Suppression_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
