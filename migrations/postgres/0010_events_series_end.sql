-- 0010: the end of an event's whole series, so listings with a date window can pick the
-- recurring events that have an occurrence inside it with one indexed range condition.
--
-- series_ends_at is the end of the last occurrence: ends_at for a one-off event, the end of the
-- rule's last occurrence for a bounded series (set by the events service, which expands rules),
-- and 'infinity' for an endless series. A window [from, to) selects candidates with
-- series_ends_at > from AND starts_at < to; the service then expands each recurring candidate.

ALTER TABLE events ADD COLUMN IF NOT EXISTS series_ends_at timestamptz;

-- Keeps the column right for writers that do not expand rules (scripts, other services): a
-- one-off event ends its series with itself; a recurring event whose rule or first occurrence
-- changed without a new series end is treated as endless, which only makes it a candidate more
-- often, never hides it.
CREATE OR REPLACE FUNCTION flow_events_series_end() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.recurrence IS NULL THEN
    NEW.series_ends_at := NEW.ends_at;
  ELSIF TG_OP = 'INSERT' THEN
    NEW.series_ends_at := coalesce(NEW.series_ends_at, 'infinity');
  ELSIF NEW.series_ends_at IS NOT DISTINCT FROM OLD.series_ends_at
        AND (NEW.recurrence IS DISTINCT FROM OLD.recurrence
             OR NEW.starts_at IS DISTINCT FROM OLD.starts_at
             OR NEW.ends_at IS DISTINCT FROM OLD.ends_at
             OR NEW.timezone IS DISTINCT FROM OLD.timezone) THEN
    NEW.series_ends_at := 'infinity';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER events_series_end
  BEFORE INSERT OR UPDATE OF recurrence, starts_at, ends_at, timezone, series_ends_at ON events
  FOR EACH ROW EXECUTE FUNCTION flow_events_series_end();

UPDATE events SET series_ends_at = CASE WHEN recurrence IS NULL THEN ends_at ELSE 'infinity' END
 WHERE series_ends_at IS NULL;
ALTER TABLE events ALTER COLUMN series_ends_at SET NOT NULL;
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_series_ends_after_start;
ALTER TABLE events ADD CONSTRAINT events_series_ends_after_start CHECK (series_ends_at >= ends_at);

-- Listing by window: WHERE status = $s AND series_ends_at > $from AND starts_at < $to.
CREATE INDEX IF NOT EXISTS events_status_series_end_idx ON events (status, series_ends_at, starts_at);
