-- An ending that meets an attempt between its mark and its call settles the step unknown; the
-- attempt that finds only its own mark there turns it back to cancelled (decision 67).
ALTER TABLE "Message" ADD COLUMN "unconfirmedMarks" INTEGER NOT NULL DEFAULT 0;
