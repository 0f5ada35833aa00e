-- 0012: private calendar feeds. Each account may have one secret feed URL
-- (/api/v1/calendar/<token>.ics) that calendar apps poll without logging in: the token is the
-- credential. Only the token's SHA-256 (hex) is stored, so the table cannot be used to read
-- anyone's feed; rotating replaces the hash (the old URL stops working at once), revoking
-- deletes the row.
CREATE TABLE IF NOT EXISTS calendar_feeds (
  account_id  uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash  text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- When the current token was issued (creation or last rotation).
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash)
);
