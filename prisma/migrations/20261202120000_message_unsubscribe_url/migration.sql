-- The List-Unsubscribe URL is fixed when the step is claimed, so every attempt at the step sends
-- the same mail whatever PUBLIC_URL is by then (docs/decisions.md, 75). Rows claimed before keep
-- null and are sent with the URL built from the current PUBLIC_URL, as before.
ALTER TABLE "Message" ADD COLUMN "unsubscribeUrl" TEXT;
