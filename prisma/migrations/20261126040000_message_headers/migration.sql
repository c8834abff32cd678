-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "rfcMessageId" TEXT,
ADD COLUMN     "unsubscribeToken" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Message_rfcMessageId_key" ON "Message"("rfcMessageId");

-- CreateIndex
CREATE UNIQUE INDEX "Message_unsubscribeToken_key" ON "Message"("unsubscribeToken");
