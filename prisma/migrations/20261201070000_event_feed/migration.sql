-- AlterTable: the feed's order (seq) and the writing transaction (txid), so a reader never passes
-- an event whose transaction has not committed yet.
ALTER TABLE "Event" ADD COLUMN "seq" BIGSERIAL NOT NULL,
ADD COLUMN "txid" BIGINT NOT NULL DEFAULT txid_current();

-- CreateIndex
CREATE UNIQUE INDEX "Event_seq_key" ON "Event"("seq");

-- CreateIndex
CREATE INDEX "Event_workspaceId_seq_idx" ON "Event"("workspaceId", "seq");
