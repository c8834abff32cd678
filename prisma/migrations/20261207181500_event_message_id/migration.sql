-- A delivery replayed after a crash tells webhooks again about its message's events
-- (src/delivery/deliver.ts, messageEvents). Found by a JSON path, they were a Seq Scan of every
-- event: 0.8 s at 2,000,000 events (bench/explain.ts). The message id now has a column of its own,
-- kept from data.messageId by a trigger (every writer of an event, whatever it is), and an index.

-- AddColumn
ALTER TABLE "Event" ADD COLUMN "messageId" TEXT;

-- Events written before. The ALTER holds the table until this migration commits, so none is
-- written between this and the trigger (which would otherwise run once more per row here).
UPDATE "Event" SET "messageId" = data ->> 'messageId' WHERE jsonb_typeof(data -> 'messageId') = 'string';

-- data.messageId when it is a string: exactly the events the JSON-path lookup found.
CREATE FUNCTION sequent_event_message_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."messageId" := CASE WHEN jsonb_typeof(NEW.data -> 'messageId') = 'string' THEN NEW.data ->> 'messageId' END;
  RETURN NEW;
END $$;

CREATE TRIGGER "Event_messageId" BEFORE INSERT OR UPDATE OF data, "messageId" ON "Event"
  FOR EACH ROW EXECUTE FUNCTION sequent_event_message_id();

-- CreateIndex
CREATE INDEX "Event_messageId_idx" ON "Event"("messageId");
