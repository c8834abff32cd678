-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "dispatchedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Event_dispatchedAt_createdAt_idx" ON "Event"("dispatchedAt", "createdAt");
