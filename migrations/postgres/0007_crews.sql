-- 0007: crews (small groups anchored to an event, a venue or an area), their members, peer
-- feedback after the event, and the karma ledger that feedback feeds.

-- A crew: anchored to exactly one of an event, a venue, or an area (centre + radius).
-- Capacity and a minimum karma gate who may join.
CREATE TABLE IF NOT EXISTS crews (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description    text CHECK (char_length(description) <= 2000),
  anchor_kind    text NOT NULL CHECK (anchor_kind IN ('event', 'venue', 'area')),
  event_id       uuid REFERENCES events (id) ON DELETE CASCADE,
  venue_id       uuid REFERENCES venues (id) ON DELETE CASCADE,
  area_center    geography(Point, 4326),
  area_radius_m  integer CHECK (area_radius_m BETWEEN 1 AND 100000),
  -- NULL: no limit. member_count is kept by a trigger on crew_members; with the CHECK below a
  -- crew can never hold more active members than its capacity, even under concurrent joins.
  capacity       integer CHECK (capacity >= 1),
  member_count   integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  -- Joining (and, at the service's choice, messaging) requires at least this much karma.
  min_karma      integer,
  visibility     text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'connections', 'invite_only')),
  -- NO ACTION: the owner's account cannot be deleted while they own a crew; ownership is
  -- handed over (or the crew disbanded) first.
  owner_id       uuid NOT NULL REFERENCES accounts (id),
  -- active: open to joins; closed: no new members; archived: after the event / disbanded.
  status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'archived')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  archived_at    timestamptz,
  CONSTRAINT crews_anchor CHECK (
    (anchor_kind = 'event' AND event_id IS NOT NULL AND venue_id IS NULL
       AND area_center IS NULL AND area_radius_m IS NULL) OR
    (anchor_kind = 'venue' AND venue_id IS NOT NULL AND event_id IS NULL
       AND area_center IS NULL AND area_radius_m IS NULL) OR
    (anchor_kind = 'area' AND area_center IS NOT NULL AND area_radius_m IS NOT NULL
       AND event_id IS NULL AND venue_id IS NULL)),
  CONSTRAINT crews_not_over_capacity CHECK (capacity IS NULL OR member_count <= capacity)
);
CREATE INDEX IF NOT EXISTS crews_event_idx ON crews (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS crews_venue_idx ON crews (venue_id) WHERE venue_id IS NOT NULL;
-- Area crews near a point: ST_DWithin(area_center, $point, area_radius_m + $metres).
CREATE INDEX IF NOT EXISTS crews_area_gist ON crews USING gist (area_center) WHERE area_center IS NOT NULL;
CREATE INDEX IF NOT EXISTS crews_owner_idx ON crews (owner_id);
CREATE INDEX IF NOT EXISTS crews_status_created_idx ON crews (status, created_at DESC);
CREATE OR REPLACE TRIGGER crews_set_updated_at
  BEFORE UPDATE ON crews FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at('member_count');

-- Crew memberships, current and past (left_at set). Leaving and rejoining makes a new row.
CREATE TABLE IF NOT EXISTS crew_members (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  crew_id      uuid NOT NULL REFERENCES crews (id) ON DELETE CASCADE,
  account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role         text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
  joined_at    timestamptz NOT NULL DEFAULT now(),
  left_at      timestamptz,
  left_reason  text CHECK (left_reason IN ('left', 'removed', 'banned', 'crew_archived')),
  CONSTRAINT crew_members_left_has_reason CHECK ((left_at IS NULL) = (left_reason IS NULL)),
  CONSTRAINT crew_members_left_after_join CHECK (left_at IS NULL OR left_at >= joined_at)
);
-- One active membership per account and crew; one active owner per crew.
CREATE UNIQUE INDEX IF NOT EXISTS crew_members_active_key
  ON crew_members (crew_id, account_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS crew_members_one_owner_key
  ON crew_members (crew_id) WHERE role = 'owner' AND left_at IS NULL;
-- My crews (current and past), and a crew's roster in join order.
CREATE INDEX IF NOT EXISTS crew_members_account_idx ON crew_members (account_id, joined_at DESC);
CREATE INDEX IF NOT EXISTS crew_members_crew_idx ON crew_members (crew_id, joined_at);

-- Keeps crews.member_count equal to the number of active memberships; the crew's capacity
-- CHECK then refuses a join beyond capacity (the crew row lock serialises concurrent joins).
CREATE OR REPLACE FUNCTION flow_crew_members_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  was_active boolean := TG_OP IN ('UPDATE', 'DELETE') AND OLD.left_at IS NULL;
  is_active  boolean := TG_OP IN ('INSERT', 'UPDATE') AND NEW.left_at IS NULL;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.crew_id = NEW.crew_id AND was_active = is_active THEN
    RETURN NULL;
  END IF;
  IF was_active THEN
    UPDATE crews SET member_count = member_count - 1 WHERE id = OLD.crew_id;
  END IF;
  IF is_active THEN
    UPDATE crews SET member_count = member_count + 1 WHERE id = NEW.crew_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER crew_members_count
  AFTER INSERT OR DELETE OR UPDATE OF crew_id, left_at ON crew_members
  FOR EACH ROW EXECUTE FUNCTION flow_crew_members_count();

-- Peer feedback between crew members after an event: one rating per giver, receiver and crew.
CREATE TABLE IF NOT EXISTS crew_feedback (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  crew_id          uuid NOT NULL REFERENCES crews (id) ON DELETE CASCADE,
  -- The event the feedback is about (the anchor event, or the meet-up of a venue/area crew).
  event_id         uuid REFERENCES events (id) ON DELETE SET NULL,
  from_account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  to_account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  rating           smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment          text CHECK (char_length(comment) <= 2000),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT crew_feedback_once_key UNIQUE (crew_id, from_account_id, to_account_id),
  CONSTRAINT crew_feedback_not_self CHECK (from_account_id <> to_account_id)
);
CREATE INDEX IF NOT EXISTS crew_feedback_to_idx ON crew_feedback (to_account_id, created_at DESC);
CREATE INDEX IF NOT EXISTS crew_feedback_from_idx ON crew_feedback (from_account_id, created_at DESC);
CREATE INDEX IF NOT EXISTS crew_feedback_event_idx ON crew_feedback (event_id) WHERE event_id IS NOT NULL;

-- Karma ledger: every change of a user's karma with its reason, so karma is auditable and
-- can be recomputed (SELECT sum(delta) ...). profiles.karma is the running sum, kept by the
-- trigger below (not by the services). The rating-to-delta policy is the service's: it
-- inserts the feedback and its ledger row in one transaction; source_feedback_id is unique,
-- so one piece of feedback can never count twice. Reversals are new rows with the opposite delta.
CREATE TABLE IF NOT EXISTS karma_ledger (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id          uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  delta               integer NOT NULL CHECK (delta <> 0),
  reason              text NOT NULL CHECK (reason IN ('crew_feedback', 'moderation', 'adjustment', 'reversal', 'achievement')),
  -- Karma earned stays when the feedback is later removed (its author deleted their account);
  -- a moderator who removes abusive feedback adds a 'reversal' row.
  source_feedback_id  uuid REFERENCES crew_feedback (id) ON DELETE SET NULL,
  note                text CHECK (char_length(note) <= 500),
  -- Moderator/admin who made a manual change; NULL for automatic entries.
  created_by          uuid REFERENCES accounts (id) ON DELETE SET NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT karma_ledger_source_feedback_key UNIQUE (source_feedback_id)
);
CREATE INDEX IF NOT EXISTS karma_ledger_account_idx ON karma_ledger (account_id, created_at DESC);
CREATE INDEX IF NOT EXISTS karma_ledger_created_by_idx ON karma_ledger (created_by) WHERE created_by IS NOT NULL;

CREATE OR REPLACE FUNCTION flow_karma_ledger_sum() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    -- Plain UPDATE (no upsert): during an account deletion the profile may already be gone.
    UPDATE profiles SET karma = karma - OLD.delta WHERE account_id = OLD.account_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO profiles (account_id, karma) VALUES (NEW.account_id, NEW.delta)
    ON CONFLICT (account_id) DO UPDATE SET karma = profiles.karma + EXCLUDED.karma;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER karma_ledger_sum
  AFTER INSERT OR DELETE OR UPDATE OF account_id, delta ON karma_ledger
  FOR EACH ROW EXECUTE FUNCTION flow_karma_ledger_sum();
