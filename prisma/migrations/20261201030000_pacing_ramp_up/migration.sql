-- AlterTable
ALTER TABLE "SenderAccount" ADD COLUMN "minGapSeconds" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "jitterSeconds" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "nextSlotAt" TIMESTAMPTZ(3),
ADD COLUMN "rampStartLimit" INTEGER,
ADD COLUMN "rampIncreasePerDay" INTEGER,
ADD COLUMN "rampStartedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Enrollment" ADD COLUMN "paceSlotAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Lead" ADD COLUMN "timezone" TEXT;
