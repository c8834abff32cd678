-- The feed (GET /v1/events?after=, the stream) now pages in the order (txid, seq) and keeps its
-- cursor as a position in it (decision 55): one index for the whole feed, one for `?type=`.
-- The (workspaceId, seq) index served the old seq order and nothing else.

-- DropIndex
DROP INDEX "Event_workspaceId_seq_idx";

-- CreateIndex
CREATE INDEX "Event_workspaceId_txid_seq_idx" ON "Event"("workspaceId", "txid", "seq");

-- CreateIndex
CREATE INDEX "Event_workspaceId_type_txid_seq_idx" ON "Event"("workspaceId", "type", "txid", "seq");
