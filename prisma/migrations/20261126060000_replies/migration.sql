-- CreateEnum
CREATE TYPE "ReplyClassification" AS ENUM ('interested', 'not_interested', 'out_of_office', 'bounce', 'unsubscribe');

-- CreateTable
CREATE TABLE "Reply" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "campaignId" TEXT,
    "leadId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "subject" TEXT,
    "text" TEXT NOT NULL,
    "classification" "ReplyClassification" NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Reply_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Reply_workspaceId_id_idx" ON "Reply"("workspaceId", "id" DESC);

-- CreateIndex
CREATE INDEX "Reply_workspaceId_campaignId_id_idx" ON "Reply"("workspaceId", "campaignId", "id" DESC);

-- CreateIndex
CREATE INDEX "Reply_campaignId_leadId_idx" ON "Reply"("campaignId", "leadId");
