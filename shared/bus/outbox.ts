import type { Context } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { describeError, type Logger } from '../logger.ts';
import type { Postgres, PostgresTransaction } from '../stores/index.ts';
import type { BusMessage, BusMessageType, BusPayload } from './messages.ts';
import { buildBusMessage } from './producer.ts';

/** Queues accept at most 100 messages per sendBatch call. */
const RELAY_BATCH = 100;
/** Published rows are kept this long for inspection, then pruned. */
const PUBLISHED_RETENTION = '7 days';

interface OutboxRow {
  id: string;
  type: BusMessageType;
  payload: BusMessage['payload'];
  correlation_id: string;
  occurred_at: string;
}

/**
 * Records a bus message in the same transaction as the data change it announces (transactional
 * outbox): if the transaction commits the message will be sent, if it rolls back it never existed.
 * The envelope id is the row id, so a message relayed twice is de-duplicated by consumers.
 */
export async function enqueueBusMessage<T extends BusMessageType>(
  tx: PostgresTransaction,
  correlationId: string,
  type: T,
  payload: BusPayload<T>,
): Promise<void> {
  await enqueueBusMessages(tx, correlationId, type, [payload]);
}

/** Like enqueueBusMessage for several messages of one type, in one statement (one round trip). */
export async function enqueueBusMessages<T extends BusMessageType>(
  tx: PostgresTransaction,
  correlationId: string,
  type: T,
  payloads: readonly BusPayload<T>[],
): Promise<void> {
  if (payloads.length === 0) return;
  const messages = payloads.map((payload) => buildBusMessage(type, payload, correlationId));
  await tx.query(
    `insert into outbox_events (id, type, payload, correlation_id, created_at)
     select (m->>'id')::uuid, m->>'type', m->'payload', m->>'correlationId', (m->>'occurredAt')::timestamptz
       from jsonb_array_elements($1::jsonb) as m`,
    [JSON.stringify(messages)],
  );
}

/**
 * Sends unpublished outbox rows to the queue, oldest first, and marks them published. Rows are
 * claimed with FOR UPDATE SKIP LOCKED, so concurrent relays (a request's waitUntil and the cron)
 * never send the same row at once. A failed send records the error and leaves the rows for the
 * next run. Returns how many messages were published.
 */
export async function relayOutbox(postgres: Postgres, queue: Queue, limit = RELAY_BATCH): Promise<number> {
  return postgres.transaction(async (tx) => {
    const rows = await tx.query<OutboxRow>(
      `select id, type, payload, correlation_id,
              to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at
         from outbox_events
        where published_at is null
        order by created_at, id
        limit $1
          for update skip locked`,
      [Math.min(limit, RELAY_BATCH)],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    try {
      await queue.sendBatch(rows.map((row) => ({ body: toEnvelope(row), contentType: 'json' as const })));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await tx.query(
        `update outbox_events set attempts = attempts + 1, last_error = left($2, 2000) where id = any($1::uuid[])`,
        [ids, reason],
      );
      return 0;
    }
    await tx.query(`update outbox_events set published_at = now(), attempts = attempts + 1 where id = any($1::uuid[])`, [ids]);
    return rows.length;
  });
}

/** Deletes published rows older than the retention period. Returns how many went. */
export async function pruneOutbox(postgres: Postgres): Promise<number> {
  const rows = await postgres.query<{ id: string }>(
    `delete from outbox_events where published_at < now() - $1::interval returning id`,
    [PUBLISHED_RETENTION],
  );
  return rows.length;
}

/**
 * After a request's transaction committed: relays pending messages once the response is on its
 * way. A failure is only logged; the cron relays whatever is left.
 */
export function relayOutboxAfterResponse(c: Context<AppEnv>): void {
  const postgres = c.get('stores').postgres;
  const log: Logger = c.get('log');
  c.executionCtx.waitUntil(
    relayOutbox(postgres, c.env.EVENT_BUS).catch((error: unknown) => log.warn('outbox relay deferred to cron', describeError(error))),
  );
}

function toEnvelope(row: OutboxRow): BusMessage {
  return {
    id: row.id,
    type: row.type,
    payload: row.payload,
    correlationId: row.correlation_id,
    occurredAt: row.occurred_at,
  } as BusMessage;
}
