-- 0015: shares counted per channel, so organizers see where their event travels.
-- events.share_count stays the total (listings and the featured score read it); this table
-- splits the same counted shares by channel. Both move in one statement (likes.ts, addShare).
CREATE TABLE IF NOT EXISTS event_share_channels (
  event_id  uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  channel   text NOT NULL CHECK (channel IN ('link', 'email', 'sms', 'whatsapp', 'telegram', 'facebook', 'x', 'linkedin', 'instagram', 'other')),
  shares    integer NOT NULL DEFAULT 0 CHECK (shares >= 0),
  PRIMARY KEY (event_id, channel)
);
