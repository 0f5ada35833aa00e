-- 0002: identity. Accounts and credentials, sessions and refresh-token families, one-time
-- tokens, two-factor backup codes, push device tokens, calendar feed tokens, achievements.
-- Secrets are never stored in clear: every token column holds a hash (hex or base64url of
-- SHA-256 / HMAC-SHA-256 computed by the service), the TOTP secret is stored encrypted.

-- A person who can log in: credentials, role and permissions, lockout and 2FA state.
CREATE TABLE IF NOT EXISTS accounts (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Kept as the user typed it; uniqueness and lookups go through lower(email).
  email                  text NOT NULL
                           CHECK (char_length(email) BETWEEN 3 AND 254 AND email ~ '^[^@\s]+@[^@\s]+$'),
  username               text NOT NULL
                           CHECK (username ~ '^[A-Za-z0-9_.-]{3,32}$'),
  -- PHC string with algorithm and parameters, e.g.
  -- '$scrypt$ln=15,r=8,p=3$<salt>$<hash>' or '$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>',
  -- so a login can verify with the stored parameters and rehash when the policy changes.
  password_hash          text NOT NULL CHECK (password_hash LIKE '$%'),
  password_changed_at    timestamptz NOT NULL DEFAULT now(),
  role                   text NOT NULL DEFAULT 'user'
                           CHECK (role IN ('admin', 'moderator', 'user')),
  -- Fine-grained grants on top of the role, e.g. {edit_event,manage_attendees,view_analytics}.
  permissions            text[] NOT NULL DEFAULT '{}'
                           CHECK (array_position(permissions, NULL) IS NULL),
  email_verified_at      timestamptz,
  status                 text NOT NULL DEFAULT 'active'
                           CHECK (status IN ('active', 'disabled', 'deleted')),
  -- Lockout: the service increments failed_login_count atomically and sets locked_until when
  -- the threshold is reached; a password reset clears both (an attacker cannot lock for good).
  failed_login_count     integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
  last_failed_login_at   timestamptz,
  locked_until           timestamptz,
  last_login_at          timestamptz,
  -- TOTP: secret encrypted by the service (AEAD; text such as '<key id>:<base64url nonce||ciphertext>'
  -- so keys can rotate). Set at setup, enabled once the first code is confirmed.
  totp_secret_encrypted  text,
  totp_enabled_at        timestamptz,
  -- Last accepted 30-second time-step. A code is accepted only with
  --   UPDATE accounts SET totp_last_used_step = $step
  --    WHERE id = $1 AND (totp_last_used_step IS NULL OR totp_last_used_step < $step)
  -- so the same code (or an older one) can never be replayed, even by concurrent requests.
  totp_last_used_step    bigint,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  deleted_at             timestamptz,
  CONSTRAINT accounts_totp_enabled_needs_secret
    CHECK (totp_enabled_at IS NULL OR totp_secret_encrypted IS NOT NULL),
  CONSTRAINT accounts_deleted_status
    CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);
-- Case-insensitive uniqueness (no citext). The unique indexes cover every row, deleted ones
-- too: account deletion either removes the row or scrubs email/username to a tombstone value
-- (e.g. 'deleted-<id>@invalid'), which also satisfies GDPR erasure.
CREATE UNIQUE INDEX IF NOT EXISTS accounts_email_lower_key ON accounts (lower(email));
CREATE UNIQUE INDEX IF NOT EXISTS accounts_username_lower_key ON accounts (lower(username));
CREATE INDEX IF NOT EXISTS accounts_role_idx ON accounts (role) WHERE role <> 'user';
CREATE OR REPLACE TRIGGER accounts_set_updated_at
  BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Single-use two-factor backup codes (10 per account by default), stored hashed.
-- Codes are short, so the hash is keyed (HMAC with a server secret) and deterministic:
-- redemption is one atomic statement that succeeds once:
--   UPDATE backup_codes SET used_at = now()
--    WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id
CREATE TABLE IF NOT EXISTS backup_codes (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  used_at     timestamptz,
  CONSTRAINT backup_codes_account_code_key UNIQUE (account_id, code_hash)
);
CREATE INDEX IF NOT EXISTS backup_codes_unused_idx ON backup_codes (account_id) WHERE used_at IS NULL;

-- A login: one per device/browser. It is also the refresh-token family: every refresh token
-- issued for the login belongs to the session, and revoking the session ends the family.
-- Logout, "log out everywhere", password change and detected refresh reuse all set revoked_at.
CREATE TABLE IF NOT EXISTS sessions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id     uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  ip             inet,
  user_agent     text CHECK (char_length(user_agent) <= 1024),
  -- When the second factor was passed for this login (NULL: password only / no 2FA).
  mfa_verified_at timestamptz,
  expires_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  revoke_reason  text CHECK (revoke_reason IN (
                   'logout', 'logout_all', 'password_changed', 'password_reset',
                   'refresh_token_reuse', 'revoked_by_user', 'revoked_by_admin',
                   'account_disabled', 'account_deleted', 'expired')),
  CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at),
  CONSTRAINT sessions_revocation_has_reason CHECK ((revoked_at IS NULL) = (revoke_reason IS NULL))
);
-- A user's sessions (list, revoke, "log out everywhere"); also serves the account FK.
CREATE INDEX IF NOT EXISTS sessions_account_idx ON sessions (account_id, last_seen_at DESC);
CREATE INDEX IF NOT EXISTS sessions_expires_at_idx ON sessions (expires_at);

-- Rotating refresh tokens. id is the token's jti. A refresh marks the presented token
-- rotated (UPDATE ... SET rotated_at = now() WHERE id = $1 AND rotated_at IS NULL AND
-- revoked_at IS NULL RETURNING ..., so exactly one concurrent refresh wins) and inserts its
-- child. Presenting a token that is already rotated (outside the client's short grace window,
-- which the service answers from its Redis idempotency entry) is reuse: the session (family)
-- is revoked with reason 'refresh_token_reuse'.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id   uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  -- Hash of the opaque token; NULL when the token is a signed JWT looked up by jti (= id).
  token_hash   text UNIQUE,
  parent_id    uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
  issued_at    timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  rotated_at   timestamptz,
  replaced_by  uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
  revoked_at   timestamptz,
  CONSTRAINT refresh_tokens_expiry_after_issue CHECK (expires_at > issued_at),
  CONSTRAINT refresh_tokens_replaced_means_rotated CHECK (replaced_by IS NULL OR rotated_at IS NOT NULL),
  CONSTRAINT refresh_tokens_not_own_parent CHECK (parent_id IS NULL OR parent_id <> id)
);
-- At most one child per token: concurrent refreshes of one token can only ever build one chain.
CREATE UNIQUE INDEX IF NOT EXISTS refresh_tokens_one_child_key
  ON refresh_tokens (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS refresh_tokens_session_idx ON refresh_tokens (session_id);
CREATE INDEX IF NOT EXISTS refresh_tokens_replaced_by_idx ON refresh_tokens (replaced_by) WHERE replaced_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS refresh_tokens_expires_at_idx ON refresh_tokens (expires_at);

-- Single-use tokens sent by email: verification, password reset, email change. Stored hashed,
-- short-lived (10 minutes by default). Redeemed with one atomic statement:
--   UPDATE one_time_tokens SET used_at = now()
--    WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING ...
CREATE TABLE IF NOT EXISTS one_time_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose     text NOT NULL CHECK (purpose IN ('email_verification', 'password_reset', 'email_change')),
  token_hash  text NOT NULL UNIQUE,
  -- The address the token was sent to (the new address for 'email_change').
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  CONSTRAINT one_time_tokens_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX IF NOT EXISTS one_time_tokens_account_idx ON one_time_tokens (account_id, purpose);
CREATE INDEX IF NOT EXISTS one_time_tokens_expires_at_idx ON one_time_tokens (expires_at);

-- Push tokens of a user's devices (FCM). A token identifies one app install, so it is unique
-- globally: when another account logs in on the same device, upsert ON CONFLICT (token) and
-- move it to the new account.
CREATE TABLE IF NOT EXISTS device_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- The login that registered it, so logging out can drop the device's push token.
  session_id    uuid REFERENCES sessions (id) ON DELETE SET NULL,
  platform      text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
  token         text NOT NULL CHECK (char_length(token) BETWEEN 1 AND 4096),
  device_name   text CHECK (char_length(device_name) <= 200),
  app_version   text CHECK (char_length(app_version) <= 50),
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT device_tokens_token_key UNIQUE (token)
);
CREATE INDEX IF NOT EXISTS device_tokens_account_idx ON device_tokens (account_id);
CREATE INDEX IF NOT EXISTS device_tokens_session_idx ON device_tokens (session_id) WHERE session_id IS NOT NULL;

-- Secret token in the URL of a user's private calendar feed (.ics); stored hashed.
-- One live token per account; rotating it revokes the old URL.
CREATE TABLE IF NOT EXISTS calendar_feed_tokens (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS calendar_feed_tokens_one_live_key
  ON calendar_feed_tokens (account_id) WHERE revoked_at IS NULL;
CREATE INDEX IF NOT EXISTS calendar_feed_tokens_account_idx ON calendar_feed_tokens (account_id);

-- Catalogue of achievements a user can earn (first event attended, ten check-ins, ...).
CREATE TABLE IF NOT EXISTS achievements (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code         text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_]{1,64}$'),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  description  text CHECK (char_length(description) <= 1000),
  icon_url     text,
  -- How it is earned (e.g. {"metric": "events_attended", "threshold": 10}); read by the service.
  criteria     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(criteria) = 'object'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE TRIGGER achievements_set_updated_at
  BEFORE UPDATE ON achievements FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Achievements earned by an account; each at most once.
CREATE TABLE IF NOT EXISTS account_achievements (
  account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  achievement_id  uuid NOT NULL REFERENCES achievements (id) ON DELETE CASCADE,
  awarded_at      timestamptz NOT NULL DEFAULT now(),
  details         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object'),
  PRIMARY KEY (account_id, achievement_id)
);
CREATE INDEX IF NOT EXISTS account_achievements_achievement_idx ON account_achievements (achievement_id);
