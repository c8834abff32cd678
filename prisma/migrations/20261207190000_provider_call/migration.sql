-- A mark (Message.unconfirmedSince) is set before an attempt's transaction, so it cannot tell an
-- attempt that called from one that was overlapped and never called (decision 83). A call now
-- leaves its own row, written right before it begins.

-- CreateTable
CREATE TABLE "ProviderCall" (
    "messageId" TEXT NOT NULL,
    "mark" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ProviderCall_pkey" PRIMARY KEY ("messageId","mark")
);

-- AddForeignKey
ALTER TABLE "ProviderCall" ADD CONSTRAINT "ProviderCall_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Marks written before this table: each may stand for a call, as it did (mark 0, below any attempt's).
INSERT INTO "ProviderCall" ("messageId", "mark", "startedAt")
  SELECT id, 0, "unconfirmedSince" FROM "Message" WHERE status = 'sending' AND "unconfirmedSince" IS NOT NULL;
