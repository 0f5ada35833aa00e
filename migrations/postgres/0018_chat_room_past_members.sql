-- 0018: the rooms an account has left. Its messages stay in a room's log after it leaves (the
-- others keep the conversation), so deleting the account must reach every room it was ever in,
-- not only those it is in now. Removal from a room moves the membership here; the row goes with
-- the account or the room.
CREATE TABLE IF NOT EXISTS chat_room_past_members (
  room_id     uuid NOT NULL REFERENCES chat_rooms (id) ON DELETE CASCADE,
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  left_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, room_id)
);
CREATE INDEX IF NOT EXISTS chat_room_past_members_room_idx ON chat_room_past_members (room_id);
