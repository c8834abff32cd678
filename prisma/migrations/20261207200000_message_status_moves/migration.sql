-- The send path's message states move only as src/domain/message-states.ts allows (MESSAGE_MOVES);
-- any other change of status is refused here, whichever code writes it. test/db/message-states.test.ts
-- tries every pair of states against this trigger and the table.
CREATE FUNCTION sequent_message_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.status::text, NEW.status::text) IN (
    ('sending', 'sent'), ('sending', 'delivered'), ('sending', 'failed'), ('sending', 'unknown'), ('sending', 'cancelled'),
    ('unknown', 'cancelled'), ('unknown', 'sent'),
    ('cancelled', 'sent'),
    ('failed', 'sent'),
    ('sent', 'delivered'), ('sent', 'bounced'),
    ('delivered', 'bounced')
  ) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'message % may not move from % to %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER "Message_status_moves" BEFORE UPDATE OF status ON "Message"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION sequent_message_status_move();
