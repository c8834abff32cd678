-- SPEC §12 reply policies: a lead held by its reply (out of office) waits until heldUntil.
ALTER TYPE "WaitReason" ADD VALUE 'out_of_office';
ALTER TABLE "Enrollment" ADD COLUMN "heldUntil" TIMESTAMPTZ(3);
