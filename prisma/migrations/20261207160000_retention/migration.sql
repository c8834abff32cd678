-- Events are kept EVENT_RETENTION_DAYS (at least 30) and then deleted by the hourly
-- `sequent-prune-events` schedule in batches, oldest first: each batch finds its rows by createdAt.
-- (IdempotencyRecord has its createdAt index since the init migration.)
-- Webhook secrets become AES-256-GCM ciphertext in the same column; no SQL can do that (the key is
-- the application's), so every worker seals plaintext rows at start (src/worker/start-up.ts).

-- CreateIndex
CREATE INDEX "Event_createdAt_idx" ON "Event"("createdAt");
