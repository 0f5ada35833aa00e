-- 0009: transactional outbox and consumer idempotency for the event bus (Cloudflare Queues).

-- Bus messages written in the same transaction as the data change they announce
-- (event.created, connection.accepted, registration.cancelled, ...). A relay (cron or the
-- request's waitUntil) sends unpublished rows to the queue in created_at order and stamps
-- published_at, so a message is never lost when the request dies between commit and send.
-- The relay claims rows with SELECT ... FOR UPDATE SKIP LOCKED; delivery is at least once,
-- and consumers de-duplicate by id.
CREATE TABLE IF NOT EXISTS outbox_events (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type            text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  payload         jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  correlation_id  text CHECK (char_length(correlation_id) <= 200),
  created_at      timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz,
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error      text CHECK (char_length(last_error) <= 2000)
);
-- The relay's work list: unpublished messages, oldest first.
CREATE INDEX IF NOT EXISTS outbox_events_unpublished_idx
  ON outbox_events (created_at, id) WHERE published_at IS NULL;
-- Clean-up of published messages after a retention period.
CREATE INDEX IF NOT EXISTS outbox_events_published_idx
  ON outbox_events (published_at) WHERE published_at IS NOT NULL;

-- Idempotency markers for queue consumers whose effect is a Postgres write: the consumer
-- inserts (consumer, message_id) in the same transaction as its effect, with
-- ON CONFLICT DO NOTHING; zero rows inserted means the message was already handled, so a
-- redelivered message never applies twice. (Consumers whose effects land elsewhere use the
-- bus_processed collection in MongoDB.)
CREATE TABLE IF NOT EXISTS consumed_messages (
  consumer      text NOT NULL CHECK (char_length(consumer) BETWEEN 1 AND 100),
  message_id    text NOT NULL CHECK (char_length(message_id) BETWEEN 1 AND 200),
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);
CREATE INDEX IF NOT EXISTS consumed_messages_processed_at_idx ON consumed_messages (processed_at);
