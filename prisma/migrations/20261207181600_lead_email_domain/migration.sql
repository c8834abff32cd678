-- stopCompanyOnReply finds the replier's colleagues (src/replies/intake.ts, findColleagues) inside
-- the reply's transaction. By `email LIKE '%@domain'` that was a Seq Scan of every lead: 90 ms at
-- 500,000 leads (bench/explain.ts), with the lead's rows locked. The domain now has a column of its
-- own, kept from the email by a trigger (leads are written by bulk SQL too), and an index.

-- AddColumn
ALTER TABLE "Lead" ADD COLUMN "emailDomain" TEXT;

-- Leads written before. The ALTER holds the table until this migration commits, so none is written
-- between this and the trigger.
UPDATE "Lead" SET "emailDomain" = substring(email FROM '@([^@]*)$');

-- What follows the email's last '@' (null without one): equal to D exactly when email LIKE '%@' || D,
-- for any D without an '@' (a domain has none).
CREATE FUNCTION sequent_lead_email_domain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."emailDomain" := substring(NEW.email FROM '@([^@]*)$');
  RETURN NEW;
END $$;

CREATE TRIGGER "Lead_emailDomain" BEFORE INSERT OR UPDATE OF email, "emailDomain" ON "Lead"
  FOR EACH ROW EXECUTE FUNCTION sequent_lead_email_domain();

-- CreateIndex
CREATE INDEX "Lead_workspaceId_emailDomain_idx" ON "Lead"("workspaceId", "emailDomain");
