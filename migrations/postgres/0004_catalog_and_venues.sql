-- 0004: event catalogue (categories with subcategories, tags) and venues.

-- Event categories; parent_id makes a category a subcategory of another.
CREATE TABLE IF NOT EXISTS categories (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id    uuid REFERENCES categories (id) ON DELETE RESTRICT,
  slug         text NOT NULL CHECK (flow_is_slug(slug)),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description  text CHECK (char_length(description) <= 1000),
  icon         text CHECK (char_length(icon) <= 200),
  sort_order   integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT categories_slug_key UNIQUE (slug),
  CONSTRAINT categories_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX IF NOT EXISTS categories_parent_idx ON categories (parent_id, sort_order);
CREATE OR REPLACE TRIGGER categories_set_updated_at
  BEFORE UPDATE ON categories FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Refuses a parent_id that would make the category tree cyclic (A under B under A).
CREATE OR REPLACE FUNCTION flow_categories_no_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND EXISTS (
    WITH RECURSIVE up(id, parent_id) AS (
      SELECT c.id, c.parent_id FROM categories c WHERE c.id = NEW.parent_id
      UNION
      SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id
    )
    SELECT 1 FROM up WHERE up.id = NEW.id
  ) THEN
    RAISE EXCEPTION 'category % cannot be placed under its own descendant %', NEW.id, NEW.parent_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'categories_no_cycle';
  END IF;
  RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER categories_no_cycle
  BEFORE INSERT OR UPDATE OF parent_id ON categories
  FOR EACH ROW EXECUTE FUNCTION flow_categories_no_cycle();

-- Free-form labels attached to events (and later to other content).
CREATE TABLE IF NOT EXISTS tags (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug        text NOT NULL CHECK (flow_is_slug(slug)),
  name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tags_slug_key UNIQUE (slug)
);

-- Places where events happen: address, coordinates, capacity, amenities, pricing, availability.
CREATE TABLE IF NOT EXISTS venues (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The account that manages the venue; a venue outlives its owner's account (other
  -- organizers' events may be held there), so deletion only clears the owner.
  owner_id       uuid REFERENCES accounts (id) ON DELETE SET NULL,
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description    text CHECK (char_length(description) <= 5000),
  address_line1  text CHECK (char_length(address_line1) <= 200),
  address_line2  text CHECK (char_length(address_line2) <= 200),
  city           text CHECK (char_length(city) <= 100),
  region         text CHECK (char_length(region) <= 100),
  postal_code    text CHECK (char_length(postal_code) <= 20),
  country_code   text CHECK (country_code ~ '^[A-Z]{2}$'),          -- ISO 3166-1 alpha-2
  location       geography(Point, 4326),
  timezone       text CHECK (char_length(timezone) BETWEEN 1 AND 64), -- IANA, e.g. 'Europe/Rome'
  capacity       integer CHECK (capacity > 0),
  amenities      text[] NOT NULL DEFAULT '{}' CHECK (array_position(amenities, NULL) IS NULL),
  -- e.g. {"currency": "EUR", "hourly_minor": 5000, "deposit_minor": 20000}
  pricing        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(pricing) = 'object'),
  -- e.g. {"weekly": {"MO": [["09:00","23:00"]]}, "closed": ["2026-12-25"]}
  availability   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(availability) = 'object'),
  website_url    text CHECK (char_length(website_url) <= 2048),
  phone          text CHECK (char_length(phone) <= 40),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS venues_location_gist ON venues USING gist (location);
CREATE INDEX IF NOT EXISTS venues_owner_idx ON venues (owner_id);
CREATE INDEX IF NOT EXISTS venues_amenities_gin ON venues USING gin (amenities);
CREATE OR REPLACE TRIGGER venues_set_updated_at
  BEFORE UPDATE ON venues FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();
