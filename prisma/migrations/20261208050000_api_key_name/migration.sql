-- A label for a key ("reporting agent"), so a list of keys says which is which.
ALTER TABLE "ApiKey" ADD COLUMN "name" TEXT;
