-- CreateEnum
CREATE TYPE "SenderStatus" AS ENUM ('active', 'paused');

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN "senderAccountId" TEXT;

-- CreateTable
CREATE TABLE "SenderAccount" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "dailyLimit" INTEGER NOT NULL,
    "status" "SenderStatus" NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SenderAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SenderDailyUsage" (
    "senderAccountId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "used" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SenderDailyUsage_pkey" PRIMARY KEY ("senderAccountId","day")
);

-- CreateIndex
CREATE UNIQUE INDEX "SenderAccount_workspaceId_email_key" ON "SenderAccount"("workspaceId", "email");

-- AddForeignKey
ALTER TABLE "SenderAccount" ADD CONSTRAINT "SenderAccount_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SenderDailyUsage" ADD CONSTRAINT "SenderDailyUsage_senderAccountId_fkey" FOREIGN KEY ("senderAccountId") REFERENCES "SenderAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;
