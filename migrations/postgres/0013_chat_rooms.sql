-- 0013: realtime rooms and who may join them. The messages themselves live in each room's
-- Durable Object (and its MongoDB archive); Postgres only answers "does this room exist" and
-- "may this account join it", which the gateway asks before it accepts a WebSocket.
--
-- kind:
--   event  the live room of an event; its id IS the event id (clients find it without a lookup),
--          subject_id = the event id; members follow the event's registrations (bus handlers)
--   dm     a direct conversation between two accounts; dm_key = "<smaller id>:<larger id>"
--          makes the pair unique, so two clients opening it at once get the same room
--   crew   a crew's room (subject_id = the crew id)
--   group  a group's room (subject_id = the group's document id in MongoDB, hence no FK)
CREATE TABLE IF NOT EXISTS chat_rooms (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL CHECK (kind IN ('event', 'dm', 'crew', 'group')),
  subject_id  uuid,
  dm_key      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chat_rooms_dm_key_key UNIQUE (dm_key),
  CONSTRAINT chat_rooms_dm_has_key CHECK ((kind = 'dm') = (dm_key IS NOT NULL)),
  CONSTRAINT chat_rooms_dm_key_format CHECK (dm_key IS NULL OR dm_key ~ '^[0-9a-f-]{36}:[0-9a-f-]{36}$'),
  CONSTRAINT chat_rooms_subject CHECK (kind = 'dm' OR subject_id IS NOT NULL),
  CONSTRAINT chat_rooms_event_id_is_subject CHECK (kind <> 'event' OR id = subject_id)
);
-- "The room of this crew / group".
CREATE INDEX IF NOT EXISTS chat_rooms_subject_idx ON chat_rooms (kind, subject_id) WHERE subject_id IS NOT NULL;

-- Members of a room. The primary key answers "members of a room" and "is X a member of R";
-- the second index answers "rooms of a user", newest first.
CREATE TABLE IF NOT EXISTS chat_room_members (
  room_id     uuid NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  role        text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  joined_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (room_id, account_id)
);
CREATE INDEX IF NOT EXISTS chat_room_members_account_idx ON chat_room_members (account_id, joined_at DESC, room_id);
