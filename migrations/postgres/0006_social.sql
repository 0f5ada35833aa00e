-- 0006: social graph (connections, blocks) and the moderation queue (reports).
-- Groups, posts, comments and feeds are documents in MongoDB.

-- Connection requests and established connections between two accounts.
-- Workflow: pending -> accepted | declined | cancelled (by the requester) | expired (set by
-- the expiry job once expires_at has passed); any -> blocked (with a row in blocks).
CREATE TABLE IF NOT EXISTS connections (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requester_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  addressee_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type          text NOT NULL DEFAULT 'friend'
                  CHECK (type IN ('friend', 'follow', 'professional', 'family')),
  status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'accepted', 'declined', 'blocked', 'cancelled', 'expired')),
  message       text CHECK (char_length(message) <= 500),
  created_at    timestamptz NOT NULL DEFAULT now(),
  responded_at  timestamptz,
  -- Set by the service when the request is made (now() + the configured 30 days).
  expires_at    timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT connections_not_self CHECK (requester_id <> addressee_id),
  CONSTRAINT connections_pending_expires CHECK (status <> 'pending' OR expires_at IS NOT NULL)
);
-- At most one live relationship per unordered pair: A->B and B->A collide, so two crossing
-- requests cannot both be created and a pair cannot be connected twice. Declined, cancelled
-- and expired rows stay as history and do not prevent a new request.
CREATE UNIQUE INDEX IF NOT EXISTS connections_live_pair_key
  ON connections (least(requester_id, addressee_id), greatest(requester_id, addressee_id))
  WHERE status IN ('pending', 'accepted', 'blocked');
-- My connections / incoming and outgoing requests; mutual friends and friends-of-friends
-- are joins over accepted rows through these two indexes.
CREATE INDEX IF NOT EXISTS connections_requester_idx ON connections (requester_id, status, addressee_id);
CREATE INDEX IF NOT EXISTS connections_addressee_idx ON connections (addressee_id, status, requester_id);
-- Expiry job: pending requests past their deadline.
CREATE INDEX IF NOT EXISTS connections_pending_expiry_idx ON connections (expires_at) WHERE status = 'pending';
CREATE OR REPLACE TRIGGER connections_set_updated_at
  BEFORE UPDATE ON connections FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();

-- Blocks: the two accounts are hidden from each other everywhere (search, feed, chat,
-- suggestions, crews). Checked in both directions, hence the second index.
CREATE TABLE IF NOT EXISTS blocks (
  blocker_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  blocked_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  reason      text CHECK (char_length(reason) <= 500),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (blocker_id, blocked_id),
  CONSTRAINT blocks_not_self CHECK (blocker_id <> blocked_id)
);
CREATE INDEX IF NOT EXISTS blocks_blocked_idx ON blocks (blocked_id, blocker_id);

-- Reports of users, posts, chat messages, events and comments: the moderators' queue.
-- target_id is text because targets live in different stores (uuid in Postgres, ObjectId in
-- MongoDB, '<room>:<seq>' for chat messages).
CREATE TABLE IF NOT EXISTS reports (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Reports survive their reporter's account deletion (anonymised).
  reporter_id        uuid REFERENCES accounts (id) ON DELETE SET NULL,
  target_kind        text NOT NULL CHECK (target_kind IN ('user', 'post', 'message', 'event', 'comment')),
  target_id          text NOT NULL CHECK (char_length(target_id) BETWEEN 1 AND 200),
  -- Author of the reported content (or the reported user), for per-user moderation history.
  target_account_id  uuid REFERENCES accounts (id) ON DELETE SET NULL,
  reason             text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 100),
  details            text CHECK (char_length(details) <= 2000),
  status             text NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'reviewing', 'resolved', 'dismissed')),
  handled_by         uuid REFERENCES accounts (id) ON DELETE SET NULL,
  resolution         text CHECK (char_length(resolution) <= 2000),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  handled_at         timestamptz,
  CONSTRAINT reports_closed_has_date CHECK (status NOT IN ('resolved', 'dismissed') OR handled_at IS NOT NULL)
);
-- Moderation queue, oldest first.
CREATE INDEX IF NOT EXISTS reports_queue_idx ON reports (status, created_at) WHERE status IN ('open', 'reviewing');
CREATE INDEX IF NOT EXISTS reports_target_idx ON reports (target_kind, target_id);
CREATE INDEX IF NOT EXISTS reports_reporter_idx ON reports (reporter_id) WHERE reporter_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS reports_handled_by_idx ON reports (handled_by) WHERE handled_by IS NOT NULL;
CREATE INDEX IF NOT EXISTS reports_target_account_idx ON reports (target_account_id, created_at DESC)
  WHERE target_account_id IS NOT NULL;
-- One open report per reporter and target (repeated taps do not flood the queue).
CREATE UNIQUE INDEX IF NOT EXISTS reports_one_open_per_reporter_key
  ON reports (reporter_id, target_kind, target_id) WHERE status IN ('open', 'reviewing');
CREATE OR REPLACE TRIGGER reports_set_updated_at
  BEFORE UPDATE ON reports FOR EACH ROW EXECUTE FUNCTION flow_set_updated_at();
