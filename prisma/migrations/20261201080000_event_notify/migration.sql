-- New events wake the workers' dispatcher (src/worker/event-dispatcher.ts) once per statement.
CREATE OR REPLACE FUNCTION "notify_sequent_events"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('sequent_events', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Event_notify" AFTER INSERT ON "Event" FOR EACH STATEMENT EXECUTE FUNCTION "notify_sequent_events"();
