-- 0005: events, their recurrence exceptions, tags and likes.

-- Validates an event's recurrence rule (a JSON form of RFC 5545 RRULE):
--   {"freq": "weekly", "interval": 2, "count": 10, "byweekday": ["MO", "WE"]}
--   {"freq": "monthly", "until": "2027-06-30T00:00:00Z", "byweekday": ["-1FR"]}
-- freq is required; interval and count are positive integers; until is an ISO 8601 date or
-- date-time string; count and until exclude each other; byweekday holds RFC 5545 day codes
-- (MO..SU, optionally prefixed by an ordinal such as 1MO or -1FR); bymonthday holds
-- non-zero integers -31..31; bymonth holds 1..12. Unknown keys are refused, so a typo
-- ("byWeekday") fails loudly instead of being ignored.
CREATE OR REPLACE FUNCTION flow_valid_recurrence(r jsonb) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  k text;
  v jsonb;
BEGIN
  IF r IS NULL THEN
    RETURN true;
  END IF;
  IF jsonb_typeof(r) <> 'object' THEN
    RETURN false;
  END IF;
  FOR k IN SELECT jsonb_object_keys(r) LOOP
    IF k NOT IN ('freq', 'interval', 'count', 'until', 'byweekday', 'bymonthday', 'bymonth') THEN
      RETURN false;
    END IF;
  END LOOP;
  IF jsonb_typeof(r -> 'freq') IS DISTINCT FROM 'string'
     OR r ->> 'freq' NOT IN ('daily', 'weekly', 'monthly', 'yearly') THEN
    RETURN false;
  END IF;
  FOREACH k IN ARRAY ARRAY['interval', 'count'] LOOP
    IF r ? k THEN
      IF jsonb_typeof(r -> k) <> 'number' THEN
        RETURN false;
      END IF;
      IF (r ->> k)::numeric < 1 OR (r ->> k)::numeric <> trunc((r ->> k)::numeric)
         OR (r ->> k)::numeric > 100000 THEN
        RETURN false;
      END IF;
    END IF;
  END LOOP;
  IF r ? 'count' AND r ? 'until' THEN
    RETURN false;
  END IF;
  IF r ? 'until' THEN
    IF jsonb_typeof(r -> 'until') <> 'string'
       OR r ->> 'until' !~ '^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$' THEN
      RETURN false;
    END IF;
  END IF;
  IF r ? 'byweekday' THEN
    IF jsonb_typeof(r -> 'byweekday') <> 'array' OR jsonb_array_length(r -> 'byweekday') = 0 THEN
      RETURN false;
    END IF;
    FOR v IN SELECT jsonb_array_elements(r -> 'byweekday') LOOP
      IF jsonb_typeof(v) <> 'string' OR v #>> '{}' !~ '^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$' THEN
        RETURN false;
      END IF;
    END LOOP;
  END IF;
  IF r ? 'bymonthday' THEN
    IF jsonb_typeof(r -> 'bymonthday') <> 'array' OR jsonb_array_length(r -> 'bymonthday') = 0 THEN
      RETURN false;
    END IF;
    FOR v IN SELECT jsonb_array_elements(r -> 'bymonthday') LOOP
      IF jsonb_typeof(v) <> 'number' THEN
        RETURN false;
      END IF;
      IF (v #>> '{}')::numeric NOT IN (-31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20,
            -19, -18, -17, -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1,
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
            25, 26, 27, 28, 29, 30, 31) THEN
        RETURN false;
      END IF;
    END LOOP;
  END IF;
  IF r ? 'bymonth' THEN
    IF jsonb_typeof(r -> 'bymonth') <> 'array' OR jsonb_array_length(r -> 'bymonth') = 0 THEN
      RETURN false;
    END IF;
    FOR v IN SELECT jsonb_array_elements(r -> 'bymonth') LOOP
      IF jsonb_typeof(v) <> 'number' THEN
        RETURN false;
      END IF;
      IF (v #>> '{}')::numeric NOT IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) THEN
        RETURN false;
      END IF;
    END LOOP;
  END IF;
  RETURN true;
END
$$;

-- Events: what, when (with time zone and recurrence), where (venue and/or own point, or a
-- virtual link), price and capacity, status, counters for the featured score, full-text vector.
CREATE TABLE IF NOT EXISTS events (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- NO ACTION: an organizer's account cannot be deleted while their events exist; the
  -- deletion flow first cancels upcoming events (attendees are told) and removes the rest.
  organizer_id        uuid NOT NULL REFERENCES accounts (id),
  title               text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  summary             text CHECK (char_length(summary) <= 500),
  description         text CHECK (char_length(description) <= 20000),
  category_id         uuid REFERENCES categories (id) ON DELETE SET NULL,
  status              text NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'published', 'cancelled', 'completed')),
  type                text NOT NULL DEFAULT 'in_person'
                        CHECK (type IN ('in_person', 'virtual', 'hybrid')),
  visibility          text NOT NULL DEFAULT 'public'
                        CHECK (visibility IN ('public', 'unlisted', 'private')),
  -- Where: an optional venue plus the event's own point (copied from the venue or set
  -- directly), so nearby search is one indexed scan of this table.
  venue_id            uuid REFERENCES venues (id) ON DELETE SET NULL,
  location            geography(Point, 4326),
  address             text CHECK (char_length(address) <= 500),
  -- When: instants in UTC plus the IANA zone the organizer thinks in ('Europe/Rome'), which
  -- recurrence expansion, reminders and .ics output use.
  starts_at           timestamptz NOT NULL,
  ends_at             timestamptz NOT NULL,
  timezone            text NOT NULL CHECK (char_length(timezone) BETWEEN 1 AND 64),
  -- NULL for a one-off event; see flow_valid_recurrence above. starts_at/ends_at are the
  -- first occurrence; single-occurrence changes are rows of event_occurrence_exceptions.
  recurrence          jsonb CHECK (flow_valid_recurrence(recurrence)),
  -- Virtual / hybrid: the link is shown to attendees only (the API filters it).
  virtual_provider    text CHECK (virtual_provider IN ('zoom', 'teams', 'meet', 'webex', 'other')),
  virtual_url         text CHECK (char_length(virtual_url) <= 2048),
  image_url           text CHECK (char_length(image_url) <= 2048),
  -- Seats: NULL capacity means unlimited. seats_sold and seats_held are kept by triggers on
  -- registrations and waitlist_entries (0008_ticketing.sql); never write them directly.
  capacity            integer CHECK (capacity > 0),
  seats_sold          integer NOT NULL DEFAULT 0 CHECK (seats_sold >= 0),
  seats_held          integer NOT NULL DEFAULT 0 CHECK (seats_held >= 0),
  -- Price range over the ticket tiers, in minor units (cents), for list filters; kept by the
  -- events service when tiers change.
  is_free             boolean NOT NULL DEFAULT true,
  price_min_minor     bigint CHECK (price_min_minor >= 0),
  price_max_minor     bigint CHECK (price_max_minor >= 0),
  currency            text CHECK (flow_is_currency(currency)),
  -- Counters for the featured quality score and organizer analytics.
  --   like_count, registration_count, checkin_count: kept by triggers (event_likes,
  --     registrations, check_ins); never write them directly.
  --   view_count, comment_count (comments live in MongoDB), share_count: incremented by the
  --     services (views may be buffered in Redis and flushed in batches).
  view_count          bigint  NOT NULL DEFAULT 0 CHECK (view_count >= 0),
  like_count          integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
  comment_count       integer NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
  share_count         integer NOT NULL DEFAULT 0 CHECK (share_count >= 0),
  registration_count  integer NOT NULL DEFAULT 0 CHECK (registration_count >= 0),
  checkin_count       integer NOT NULL DEFAULT 0 CHECK (checkin_count >= 0),
  -- Weighted full-text vector: title A, summary B, description C. A stored generated column:
  -- it is recomputed only when one of those three columns changes (not on counter updates).
  search_vector       tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
                        setweight(to_tsvector('english', coalesce(summary, '')), 'B') ||
                        setweight(to_tsvector('english', coalesce(description, '')), 'C')
                      ) STORED,
  -- Everything else that needs no constraint or index (agenda, speakers, FAQ, links...).
  details             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  -- Optimistic concurrency: updates say WHERE id = $1 AND version = $2 and SET version =
  -- version + 1; zero rows updated means someone else changed the event first (409).
  version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  published_at        timestamptz,
  cancelled_at        timestamptz,
  cancellation_reason text CHECK (char_length(cancellation_reason) <= 1000),
  CONSTRAINT events_ends_after_start CHECK (ends_at > starts_at),
  CONSTRAINT events_not_oversold CHECK (capacity IS NULL OR seats_sold + seats_held <= capacity),
  CONSTRAINT events_published_has_date CHECK (status NOT IN ('published', 'completed') OR published_at IS NOT NULL),
  CONSTRAINT events_cancelled_has_date CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  -- An in-person event carries no virtual link; beyond drafts, a place is needed for
  -- in-person/hybrid events and a link for virtual/hybrid ones.
  CONSTRAINT events_in_person_no_link CHECK (type <> 'in_person' OR (virtual_url IS NULL AND virtual_provider IS NULL)),
  CONSTRAINT events_place_when_physical CHECK (status = 'draft' OR type = 'virtual' OR location IS NOT NULL),
  CONSTRAINT events_link_when_virtual CHECK (status = 'draft' OR type = 'in_person' OR virtual_url IS NOT NULL),
  CONSTRAINT events_price_range CHECK (price_min_minor IS NULL OR price_max_minor IS NULL OR price_min_minor <= price_max_minor),
  CONSTRAINT events_price_has_currency CHECK ((price_min_minor IS NULL AND price_max_minor IS NULL) OR currency IS NOT NULL),
  CONSTRAINT events_free_costs_nothing CHECK (NOT is_free OR coalesce(price_min_minor, 0) = 0)
);
-- Nearby: ST_DWithin(location, ST_MakePoint($lng, $lat)::geography, $metres).
CREATE INDEX IF NOT EXISTS events_location_gist ON events USING gist (location);
-- Full text: search_vector @@ websearch_to_tsquery('english', $q), ranked with ts_rank_cd.
CREATE INDEX IF NOT EXISTS events_search_gin ON events USING gin (search_vector);
-- Listing / upcoming / featured: WHERE status = 'published' AND starts_at >= $from ORDER BY starts_at.
CREATE INDEX IF NOT EXISTS events_status_starts_idx ON events (status, starts_at);
CREATE INDEX IF NOT EXISTS events_category_status_starts_idx ON events (category_id, status, starts_at);
CREATE INDEX IF NOT EXISTS events_organizer_starts_idx ON events (organizer_id, starts_at DESC);
CREATE INDEX IF NOT EXISTS events_venue_starts_idx ON events (venue_id, starts_at) WHERE venue_id IS NOT NULL;
-- Counter-only changes do not move updated_at (nor invalidate caches keyed on it).
CREATE OR REPLACE TRIGGER events_set_updated_at
  BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at(
    'seats_sold', 'seats_held', 'view_count', 'like_count', 'comment_count', 'share_count',
    'registration_count', 'checkin_count', 'search_vector');

-- A change to one occurrence of a recurring event: cancelled, or moved to another time.
-- original_starts_at identifies the occurrence as the rule generates it (RFC 5545 RECURRENCE-ID).
CREATE TABLE IF NOT EXISTS event_occurrence_exceptions (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id            uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  original_starts_at  timestamptz NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('cancelled', 'moved')),
  new_starts_at       timestamptz,
  new_ends_at         timestamptz,
  -- Optional per-occurrence overrides (e.g. another room, a guest speaker).
  overrides           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(overrides) = 'object'),
  reason              text CHECK (char_length(reason) <= 1000),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT event_occurrence_exceptions_occurrence_key UNIQUE (event_id, original_starts_at),
  CONSTRAINT event_occurrence_exceptions_shape CHECK (
    (kind = 'cancelled' AND new_starts_at IS NULL AND new_ends_at IS NULL) OR
    (kind = 'moved' AND new_starts_at IS NOT NULL AND new_ends_at > new_starts_at))
);
CREATE OR REPLACE TRIGGER event_occurrence_exceptions_set_updated_at
  BEFORE UPDATE ON event_occurrence_exceptions FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Tags of an event.
CREATE TABLE IF NOT EXISTS event_tags (
  event_id  uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  tag_id    uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  PRIMARY KEY (event_id, tag_id)
);
CREATE INDEX IF NOT EXISTS event_tags_tag_idx ON event_tags (tag_id, event_id);

-- Who liked which event; one like per account and event (liking twice is a no-op via
-- ON CONFLICT DO NOTHING). events.like_count follows by trigger.
CREATE TABLE IF NOT EXISTS event_likes (
  event_id    uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, account_id)
);
CREATE INDEX IF NOT EXISTS event_likes_account_idx ON event_likes (account_id, created_at DESC);

CREATE OR REPLACE FUNCTION flow_event_likes_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE events SET like_count = like_count + 1 WHERE id = NEW.event_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE events SET like_count = like_count - 1 WHERE id = OLD.event_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER event_likes_count
  AFTER INSERT OR DELETE ON event_likes FOR EACH ROW EXECUTE FUNCTION flow_event_likes_count();
