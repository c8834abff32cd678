-- The provider's rate limit held across every worker (decision 68).
ALTER TYPE "WaitReason" ADD VALUE 'provider_rate' AFTER 'provider_retry';

CREATE TABLE "ProviderRate" (
    "provider" TEXT NOT NULL,
    "nextSlotAt" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "ProviderRate_pkey" PRIMARY KEY ("provider")
);
