-- 0001: extensions and helper functions shared by every later migration.
-- Only core Postgres + PostGIS is used, so the same files run on Postgres 15+ (Neon in
-- production, Debian's postgresql-15 locally) and on PGlite with its PostGIS extension.
-- gen_random_uuid() is core since Postgres 13: no pgcrypto needed.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Keeps updated_at current. Attach as BEFORE UPDATE ... FOR EACH ROW.
-- Without trigger arguments it always stamps updated_at. With arguments, they name columns
-- whose changes alone do NOT count as an update (counters kept by triggers, e.g. an event's
-- seats_sold or view_count), so updated_at (and any cache/ETag derived from it) only moves
-- when the row's own content changes.
CREATE OR REPLACE FUNCTION flow_set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_NARGS = 0 THEN
    NEW.updated_at := now();
  ELSIF (to_jsonb(NEW) - TG_ARGV::text[] - 'updated_at')
        IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV::text[] - 'updated_at') THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

-- True for slugs like 'live-music' (lower-case ASCII words joined by single hyphens).
-- Slugs are stored lower-case, so a plain unique index is case-insensitive by construction.
CREATE OR REPLACE FUNCTION flow_is_slug(s text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT s ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(s) <= 80
$$;

-- True for ISO 4217 currency codes in upper case ('EUR', 'USD').
CREATE OR REPLACE FUNCTION flow_is_currency(c text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT c ~ '^[A-Z]{3}$'
$$;
