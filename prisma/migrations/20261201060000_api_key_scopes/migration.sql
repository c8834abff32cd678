-- AlterTable: existing keys keep every power they had.
ALTER TABLE "ApiKey" ADD COLUMN "scopes" TEXT[] DEFAULT ARRAY['read', 'write', 'send']::TEXT[];
