-- 0019: a profile's event statistics follow the rows they count, like the events' own counters
-- (0003 left them to the services, and none kept them):
--   events_attended_count   the account's checked-in registrations (a check-in sets the
--                           registration's status, undoing it sets it back)
--   events_organized_count  the published events the account organizes (drafts and cancelled
--                           events do not count)
-- Both are recomputed once below. A decrement never goes below zero: a counter that had been
-- set by hand must not make an account deletion (whose cascade removes the rows) fail.

CREATE OR REPLACE FUNCTION flow_profiles_events_attended() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was_counted boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'checked_in';
  is_counted  boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'checked_in';
BEGIN
  IF TG_OP = 'UPDATE' AND was_counted = is_counted THEN
    RETURN NULL;
  END IF;
  IF was_counted THEN
    UPDATE profiles SET events_attended_count = greatest(events_attended_count - 1, 0) WHERE account_id = OLD.account_id;
  END IF;
  IF is_counted THEN
    UPDATE profiles SET events_attended_count = events_attended_count + 1 WHERE account_id = NEW.account_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER registrations_profile_attended
  AFTER INSERT OR DELETE OR UPDATE OF status ON registrations
  FOR EACH ROW EXECUTE FUNCTION flow_profiles_events_attended();

CREATE OR REPLACE FUNCTION flow_profiles_events_organized() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was_counted boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'published' AND OLD.organizer_id IS NOT NULL;
  is_counted  boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'published' AND NEW.organizer_id IS NOT NULL;
BEGIN
  IF TG_OP = 'UPDATE' AND was_counted = is_counted AND OLD.organizer_id IS NOT DISTINCT FROM NEW.organizer_id THEN
    RETURN NULL;
  END IF;
  IF was_counted THEN
    UPDATE profiles SET events_organized_count = greatest(events_organized_count - 1, 0) WHERE account_id = OLD.organizer_id;
  END IF;
  IF is_counted THEN
    UPDATE profiles SET events_organized_count = events_organized_count + 1 WHERE account_id = NEW.organizer_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER events_profile_organized
  AFTER INSERT OR DELETE OR UPDATE OF status, organizer_id ON events
  FOR EACH ROW EXECUTE FUNCTION flow_profiles_events_organized();

UPDATE profiles p SET
  events_attended_count = (SELECT count(*) FROM registrations r WHERE r.account_id = p.account_id AND r.status = 'checked_in'),
  events_organized_count = (SELECT count(*) FROM events e WHERE e.organizer_id = p.account_id AND e.status = 'published');
