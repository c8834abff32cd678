-- SPEC §12: a step may carry variants, and auto-optimization may choose one of them.
ALTER TABLE "SequenceStep" ADD COLUMN "variants" JSONB,
  ADD COLUMN "winnerVariantId" TEXT,
  ADD COLUMN "winnerSelectedAt" TIMESTAMPTZ(3);
