-- AlterTable: how many times the campaign's status changed, and how many the fan-out last brought
-- the enrollments in line with (a pause and a start between two sweeps leave the status as it was).
ALTER TABLE "Campaign" ADD COLUMN "statusChanges" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "syncedStatusChanges" INTEGER;
