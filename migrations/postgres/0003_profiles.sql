-- 0003: public-facing profile of an account, its location and privacy settings.
-- (Language, timezone, theme and notification settings are preferences and live in MongoDB.)

-- One profile per account: what others see of a user, where they are, who may see what,
-- karma and statistics. The users service creates it in the same transaction as the account.
CREATE TABLE IF NOT EXISTS profiles (
  account_id             uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  display_name           text CHECK (char_length(display_name) <= 100),
  bio                    text CHECK (char_length(bio) <= 2000),
  avatar_url             text CHECK (char_length(avatar_url) <= 2048),
  interests              text[] NOT NULL DEFAULT '{}'
                           CHECK (array_position(interests, NULL) IS NULL AND cardinality(interests) <= 50),
  -- Where the user is (longitude/latitude, WGS 84) and a human-readable place name.
  location               geography(Point, 4326),
  location_name          text CHECK (char_length(location_name) <= 200),
  location_updated_at    timestamptz,
  -- Privacy: who sees the profile, the location, and which events the user attends.
  profile_visibility     text NOT NULL DEFAULT 'public'
                           CHECK (profile_visibility IN ('public', 'connections', 'private')),
  location_visibility    text NOT NULL DEFAULT 'private'
                           CHECK (location_visibility IN ('public', 'connections', 'private')),
  attendance_visibility  text NOT NULL DEFAULT 'connections'
                           CHECK (attendance_visibility IN ('public', 'connections', 'private')),
  -- Sum of karma_ledger.delta for this account, kept by a trigger on karma_ledger
  -- (see 0007_crews.sql). Services never write it directly.
  karma                  integer NOT NULL DEFAULT 0,
  -- Statistics counters, kept by the services (incremented in the same transaction as the
  -- change they count; recomputable from registrations, check_ins, connections and crews).
  events_attended_count  integer NOT NULL DEFAULT 0 CHECK (events_attended_count >= 0),
  events_organized_count integer NOT NULL DEFAULT 0 CHECK (events_organized_count >= 0),
  connections_count      integer NOT NULL DEFAULT 0 CHECK (connections_count >= 0),
  followers_count        integer NOT NULL DEFAULT 0 CHECK (followers_count >= 0),
  following_count        integer NOT NULL DEFAULT 0 CHECK (following_count >= 0),
  crews_count            integer NOT NULL DEFAULT 0 CHECK (crews_count >= 0),
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);
-- "People near me" / distance to events: ST_DWithin(location, $point, $metres) uses this.
CREATE INDEX IF NOT EXISTS profiles_location_gist ON profiles USING gist (location);
-- Suggestions by shared interests: interests && $array.
CREATE INDEX IF NOT EXISTS profiles_interests_gin ON profiles USING gin (interests);
-- Counter-only changes (karma, statistics) do not move updated_at.
CREATE OR REPLACE TRIGGER profiles_set_updated_at
  BEFORE UPDATE ON profiles FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at(
    'karma', 'events_attended_count', 'events_organized_count', 'connections_count',
    'followers_count', 'following_count', 'crews_count');
