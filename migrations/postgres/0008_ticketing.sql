-- 0008: ticketing. Ticket tiers, registrations (attendees), the waitlist and check-ins.
--
-- How overselling is made impossible:
--   * ticket_tiers.sold_count/held_count and events.seats_sold/seats_held are kept by the
--     triggers below, from registrations (seats sold) and waitlist offers (seats held for
--     the time of the offer). Services never write these four columns.
--   * CHECK constraints ticket_tiers_not_oversold (sold + held <= quantity) and
--     events_not_oversold (seats_sold + seats_held <= capacity) reject the registration's
--     INSERT when no seat is left. The counter UPDATE locks the event (then tier) row, so
--     concurrent registrations are serialised and the last seat is sold exactly once.
--     A full tier/event surfaces as SQLSTATE 23514 with one of those constraint names.
--   * Accepting a waitlist offer: in one transaction, first UPDATE the entry to 'accepted'
--     (releases the hold), then INSERT the registration(s) (takes the seats). An offer that
--     expires or is cancelled releases its hold by that status change alone.
--   * A quantity above the tier's max_per_order fails with 23514 and constraint
--     registrations_max_per_order. The sales window is checked by the service (an accepted
--     waitlist offer may legitimately complete after sales closed).

-- Ticket types of an event: free, paid or donation, each with its own price, quantity,
-- sales window and per-order maximum.
CREATE TABLE IF NOT EXISTS ticket_tiers (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id         uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  name             text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description      text CHECK (char_length(description) <= 1000),
  kind             text NOT NULL DEFAULT 'free' CHECK (kind IN ('free', 'paid', 'donation')),
  -- Minor units (cents). For 'donation' it is the minimum amount (0 allowed).
  price_minor      bigint NOT NULL DEFAULT 0 CHECK (price_minor >= 0),
  currency         text CHECK (flow_is_currency(currency)),
  -- NULL: unlimited (the event's capacity still applies).
  quantity         integer CHECK (quantity >= 0),
  sold_count       integer NOT NULL DEFAULT 0 CHECK (sold_count >= 0),
  held_count       integer NOT NULL DEFAULT 0 CHECK (held_count >= 0),
  sales_start_at   timestamptz,
  sales_end_at     timestamptz,
  max_per_order    integer CHECK (max_per_order >= 1),
  sort_order       integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- Target of composite foreign keys that pin a registration's tier to the same event.
  CONSTRAINT ticket_tiers_id_event_key UNIQUE (id, event_id),
  CONSTRAINT ticket_tiers_not_oversold CHECK (quantity IS NULL OR sold_count + held_count <= quantity),
  CONSTRAINT ticket_tiers_sales_window CHECK (sales_start_at IS NULL OR sales_end_at IS NULL OR sales_end_at > sales_start_at),
  CONSTRAINT ticket_tiers_price_by_kind CHECK (
    (kind = 'free' AND price_minor = 0) OR
    (kind = 'paid' AND price_minor > 0 AND currency IS NOT NULL) OR
    (kind = 'donation' AND currency IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS ticket_tiers_event_name_key ON ticket_tiers (event_id, lower(name));
CREATE OR REPLACE TRIGGER ticket_tiers_set_updated_at
  BEFORE UPDATE ON ticket_tiers FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at('sold_count', 'held_count');

-- Waitlist: people (or a whole crew, as one entry) queueing for a sold-out event or tier.
-- Line order is (created_at, id). Promotion offers the seats for a limited time
-- (status 'offered' holds them); the offer is accepted, or expires and goes to the next.
CREATE TABLE IF NOT EXISTS waitlist_entries (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id          uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  -- NULL: any tier will do (the offer then names the tier, or holds event capacity only).
  tier_id           uuid,
  -- The person who queued (for a crew: the member who queued it, usually its owner).
  account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- Set when a whole crew queues as one entry and gets its seats together.
  crew_id           uuid REFERENCES crews (id) ON DELETE CASCADE,
  party_size        integer NOT NULL DEFAULT 1 CHECK (party_size BETWEEN 1 AND 1000),
  status            text NOT NULL DEFAULT 'waiting'
                      CHECK (status IN ('waiting', 'offered', 'accepted', 'expired', 'cancelled')),
  offered_at        timestamptz,
  offer_expires_at  timestamptz,
  responded_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT waitlist_entries_tier_fkey FOREIGN KEY (tier_id, event_id)
    REFERENCES ticket_tiers (id, event_id) ON DELETE CASCADE,
  CONSTRAINT waitlist_entries_offer_has_deadline
    CHECK (status <> 'offered' OR (offered_at IS NOT NULL AND offer_expires_at > offered_at))
);
-- "First waiting in line" for an event: WHERE event_id = $1 AND status = 'waiting'
-- ORDER BY created_at, id LIMIT n (tier filter applied on the few rows read).
CREATE INDEX IF NOT EXISTS waitlist_entries_line_idx
  ON waitlist_entries (event_id, created_at, id) WHERE status = 'waiting';
-- Expiry job: offers past their deadline.
CREATE INDEX IF NOT EXISTS waitlist_entries_offer_expiry_idx
  ON waitlist_entries (offer_expires_at) WHERE status = 'offered';
CREATE INDEX IF NOT EXISTS waitlist_entries_event_status_idx ON waitlist_entries (event_id, status);
CREATE INDEX IF NOT EXISTS waitlist_entries_tier_idx ON waitlist_entries (tier_id) WHERE tier_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS waitlist_entries_crew_idx ON waitlist_entries (crew_id) WHERE crew_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS waitlist_entries_account_idx ON waitlist_entries (account_id, created_at DESC);
-- One live entry per person and per crew for an event.
CREATE UNIQUE INDEX IF NOT EXISTS waitlist_entries_one_live_per_account_key
  ON waitlist_entries (event_id, account_id) WHERE status IN ('waiting', 'offered');
CREATE UNIQUE INDEX IF NOT EXISTS waitlist_entries_one_live_per_crew_key
  ON waitlist_entries (event_id, crew_id) WHERE crew_id IS NOT NULL AND status IN ('waiting', 'offered');
CREATE OR REPLACE TRIGGER waitlist_entries_set_updated_at
  BEFORE UPDATE ON waitlist_entries FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Registrations: who attends which event, on which tier, how many seats, and the
-- registration's state. Cancelled rows stay as history.
CREATE TABLE IF NOT EXISTS registrations (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id           uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  account_id         uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- NULL for events without tiers (simple "attend", bounded by the event's capacity).
  tier_id            uuid,
  quantity           integer NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 1000),
  status             text NOT NULL DEFAULT 'confirmed'
                       CHECK (status IN ('confirmed', 'cancelled', 'checked_in')),
  -- What was paid or donated, in minor units (0 for free tiers).
  amount_minor       bigint NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
  currency           text CHECK (flow_is_currency(currency)),
  -- Provider reference (e.g. a Stripe payment intent) once paid tickets exist.
  payment_reference  text CHECK (char_length(payment_reference) <= 200),
  waitlist_entry_id  uuid REFERENCES waitlist_entries (id) ON DELETE SET NULL,
  crew_id            uuid REFERENCES crews (id) ON DELETE SET NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  cancelled_at       timestamptz,
  checked_in_at      timestamptz,
  CONSTRAINT registrations_id_event_key UNIQUE (id, event_id),
  -- The tier must belong to the same event. NO ACTION (not RESTRICT): a tier with
  -- registrations cannot be deleted on its own, but deleting the event removes both.
  CONSTRAINT registrations_tier_fkey FOREIGN KEY (tier_id, event_id)
    REFERENCES ticket_tiers (id, event_id),
  CONSTRAINT registrations_cancelled_has_date CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
  CONSTRAINT registrations_checked_in_has_date CHECK (status <> 'checked_in' OR checked_in_at IS NOT NULL),
  CONSTRAINT registrations_amount_has_currency CHECK (amount_minor = 0 OR currency IS NOT NULL)
);
-- One active registration per account and event (cancelled ones do not count), so a double
-- tap or two devices cannot register twice.
CREATE UNIQUE INDEX IF NOT EXISTS registrations_one_active_key
  ON registrations (event_id, account_id) WHERE status IN ('confirmed', 'checked_in');
-- Attendee lists and counts per status (organizers, check-in desk).
CREATE INDEX IF NOT EXISTS registrations_event_status_idx ON registrations (event_id, status);
-- My registrations / calendar feed.
CREATE INDEX IF NOT EXISTS registrations_account_idx ON registrations (account_id, created_at DESC);
CREATE INDEX IF NOT EXISTS registrations_tier_idx ON registrations (tier_id) WHERE tier_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS registrations_crew_idx ON registrations (crew_id) WHERE crew_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS registrations_waitlist_entry_idx ON registrations (waitlist_entry_id) WHERE waitlist_entry_id IS NOT NULL;
CREATE OR REPLACE TRIGGER registrations_set_updated_at
  BEFORE UPDATE ON registrations FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Keeps seat counters from registrations: a registration holds `quantity` seats while its
-- status is confirmed or checked_in. Also maintains events.registration_count (active
-- registrations) and events.checkin_count (checked-in registrations), and enforces the
-- tier's max_per_order. Locks the event row, then the tier row (always in that order).
CREATE OR REPLACE FUNCTION flow_registrations_count() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o_seats integer := 0; o_regs integer := 0; o_checkins integer := 0;
  n_seats integer := 0; n_regs integer := 0; n_checkins integer := 0;
  same_target boolean := TG_OP = 'UPDATE' AND OLD.event_id = NEW.event_id
                         AND OLD.tier_id IS NOT DISTINCT FROM NEW.tier_id;
  tier_max integer;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('confirmed', 'checked_in') THEN
    o_seats := OLD.quantity; o_regs := 1;
    o_checkins := CASE WHEN OLD.status = 'checked_in' THEN 1 ELSE 0 END;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('confirmed', 'checked_in') THEN
    n_seats := NEW.quantity; n_regs := 1;
    n_checkins := CASE WHEN NEW.status = 'checked_in' THEN 1 ELSE 0 END;
  END IF;

  -- Seats being added to a tier: refuse an order above the tier's per-order maximum first,
  -- so the caller gets that reason rather than "sold out".
  IF n_regs = 1 AND NEW.tier_id IS NOT NULL AND (NOT same_target OR n_seats > o_seats) THEN
    SELECT max_per_order INTO tier_max FROM ticket_tiers WHERE id = NEW.tier_id;
    IF tier_max IS NOT NULL AND NEW.quantity > tier_max THEN
      RAISE EXCEPTION 'registration of % seats exceeds the tier''s maximum of % per order', NEW.quantity, tier_max
        USING ERRCODE = 'check_violation', CONSTRAINT = 'registrations_max_per_order';
    END IF;
  END IF;

  IF same_target THEN
    -- Same event and tier: apply the difference only (one UPDATE each, or none).
    IF n_seats <> o_seats OR n_regs <> o_regs OR n_checkins <> o_checkins THEN
      UPDATE events
         SET seats_sold = seats_sold + (n_seats - o_seats),
             registration_count = registration_count + (n_regs - o_regs),
             checkin_count = checkin_count + (n_checkins - o_checkins)
       WHERE id = NEW.event_id;
    END IF;
    IF NEW.tier_id IS NOT NULL AND n_seats <> o_seats THEN
      UPDATE ticket_tiers SET sold_count = sold_count + (n_seats - o_seats) WHERE id = NEW.tier_id;
    END IF;
    RETURN NULL;
  END IF;

  IF o_regs = 1 THEN
    UPDATE events
       SET seats_sold = seats_sold - o_seats,
           registration_count = registration_count - 1,
           checkin_count = checkin_count - o_checkins
     WHERE id = OLD.event_id;
    IF OLD.tier_id IS NOT NULL THEN
      UPDATE ticket_tiers SET sold_count = sold_count - o_seats WHERE id = OLD.tier_id;
    END IF;
  END IF;
  IF n_regs = 1 THEN
    UPDATE events
       SET seats_sold = seats_sold + n_seats,
           registration_count = registration_count + 1,
           checkin_count = checkin_count + n_checkins
     WHERE id = NEW.event_id;
    IF NEW.tier_id IS NOT NULL THEN
      UPDATE ticket_tiers SET sold_count = sold_count + n_seats WHERE id = NEW.tier_id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER registrations_count
  AFTER INSERT OR DELETE OR UPDATE OF event_id, tier_id, quantity, status ON registrations
  FOR EACH ROW EXECUTE FUNCTION flow_registrations_count();

-- Keeps held seats from waitlist offers: an entry in status 'offered' holds party_size seats
-- on the event (and on its tier, if set) until it is accepted, expires or is cancelled.
-- Offering more seats than are free fails with the *_not_oversold constraints.
CREATE OR REPLACE FUNCTION flow_waitlist_holds() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  o_held integer := 0;
  n_held integer := 0;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'offered' THEN
    o_held := OLD.party_size;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'offered' THEN
    n_held := NEW.party_size;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.event_id = NEW.event_id
     AND OLD.tier_id IS NOT DISTINCT FROM NEW.tier_id THEN
    IF n_held <> o_held THEN
      UPDATE events SET seats_held = seats_held + (n_held - o_held) WHERE id = NEW.event_id;
      IF NEW.tier_id IS NOT NULL THEN
        UPDATE ticket_tiers SET held_count = held_count + (n_held - o_held) WHERE id = NEW.tier_id;
      END IF;
    END IF;
    RETURN NULL;
  END IF;
  IF o_held > 0 THEN
    UPDATE events SET seats_held = seats_held - o_held WHERE id = OLD.event_id;
    IF OLD.tier_id IS NOT NULL THEN
      UPDATE ticket_tiers SET held_count = held_count - o_held WHERE id = OLD.tier_id;
    END IF;
  END IF;
  IF n_held > 0 THEN
    UPDATE events SET seats_held = seats_held + n_held WHERE id = NEW.event_id;
    IF NEW.tier_id IS NOT NULL THEN
      UPDATE ticket_tiers SET held_count = held_count + n_held WHERE id = NEW.tier_id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER waitlist_entries_holds
  AFTER INSERT OR DELETE OR UPDATE OF event_id, tier_id, party_size, status ON waitlist_entries
  FOR EACH ROW EXECUTE FUNCTION flow_waitlist_holds();

-- Check-ins at the door: at most one per registration, and each signed QR token (its id /
-- jti) can be used once. Inserting a check-in marks the registration checked_in; deleting it
-- (an organizer's undo) sets it back to confirmed.
CREATE TABLE IF NOT EXISTS check_ins (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  registration_id  uuid NOT NULL,
  event_id         uuid NOT NULL,
  checked_in_by    uuid REFERENCES accounts (id) ON DELETE SET NULL,
  checked_in_at    timestamptz NOT NULL DEFAULT now(),
  method           text NOT NULL DEFAULT 'qr' CHECK (method IN ('qr', 'manual')),
  -- id of the QR token that was scanned; NULL for a manual check-in by staff.
  token_id         text CHECK (char_length(token_id) BETWEEN 1 AND 200),
  CONSTRAINT check_ins_registration_key UNIQUE (registration_id),
  CONSTRAINT check_ins_token_key UNIQUE (token_id),
  CONSTRAINT check_ins_registration_fkey FOREIGN KEY (registration_id, event_id)
    REFERENCES registrations (id, event_id) ON DELETE CASCADE,
  CONSTRAINT check_ins_qr_has_token CHECK (method <> 'qr' OR token_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS check_ins_event_idx ON check_ins (event_id, checked_in_at);
CREATE INDEX IF NOT EXISTS check_ins_checked_in_by_idx ON check_ins (checked_in_by) WHERE checked_in_by IS NOT NULL;

CREATE OR REPLACE FUNCTION flow_check_ins_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE registrations SET status = 'checked_in', checked_in_at = NEW.checked_in_at
     WHERE id = NEW.registration_id AND status IN ('confirmed', 'checked_in');
    IF NOT FOUND THEN
      RAISE EXCEPTION 'registration % is not active and cannot be checked in', NEW.registration_id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'check_ins_registration_active';
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE registrations SET status = 'confirmed', checked_in_at = NULL
     WHERE id = OLD.registration_id AND status = 'checked_in';
  END IF;
  RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER check_ins_apply
  AFTER INSERT OR DELETE ON check_ins FOR EACH ROW EXECUTE FUNCTION flow_check_ins_apply();
