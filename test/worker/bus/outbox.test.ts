import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { enqueueBusMessage, relayOutbox } from '../../../shared/bus/outbox.ts';
import worker from '../../../workers/gateway/index.ts';
import { testStores } from '../../support/stores.ts';
import { eventually } from '../../support/wait.ts';

const { postgres, mongo } = testStores();

interface OutboxState {
  id: string;
  published_at: string | null;
  attempts: number;
}

const outboxRows = (correlationId: string) =>
  postgres.query<OutboxState>('select id, published_at, attempts from outbox_events where correlation_id = $1 order by created_at', [correlationId]);

async function enqueueCancellations(correlationId: string, count: number): Promise<void> {
  await postgres.transaction(async (tx) => {
    for (let index = 0; index < count; index += 1) {
      await enqueueBusMessage(tx, correlationId, 'event.cancelled', { eventId: crypto.randomUUID(), organizerId: crypto.randomUUID(), reason: `storm ${index}` });
    }
  });
}

/** A queue whose every send fails, as a queue outage looks to the producer. */
const brokenQueue = {
  send: () => Promise.reject(new Error('queue unavailable')),
  sendBatch: () => Promise.reject(new Error('queue unavailable')),
} as unknown as Queue;

describe('transactional outbox', () => {
  it('keeps no message when the transaction that wrote it rolls back', async () => {
    const correlationId = `outbox-rollback-${crypto.randomUUID()}`;
    await expect(postgres.transaction(async (tx) => {
      await enqueueBusMessage(tx, correlationId, 'event.cancelled', { eventId: crypto.randomUUID(), organizerId: crypto.randomUUID() });
      throw new Error('the data change failed');
    })).rejects.toThrow('the data change failed');
    expect(await outboxRows(correlationId)).toEqual([]);
  });

  it('relays committed messages to the bus, where consumers see each once under its outbox id', async () => {
    const correlationId = `outbox-relay-${crypto.randomUUID()}`;
    await enqueueCancellations(correlationId, 3);
    const rows = await eventually(async () => {
      await relayOutbox(postgres, env.EVENT_BUS);
      return outboxRows(correlationId);
    }, (found) => found.every((row) => row.published_at !== null));
    expect(rows).toHaveLength(3);
    const audited = await eventually(
      () => mongo.collection<{ messageId: string; type: string }>('audit_events').find({ correlationId }),
      (found) => found.length === 3,
    );
    expect(audited.map((record) => record.messageId).sort()).toEqual(rows.map((row) => row.id).sort());
    expect(new Set(audited.map((record) => record.type))).toEqual(new Set(['event.cancelled']));
  });

  it('sends every message exactly once when relays run concurrently', async () => {
    const correlationId = `outbox-concurrent-${crypto.randomUUID()}`;
    await enqueueCancellations(correlationId, 20);
    const sent: unknown[] = [];
    const countingQueue = {
      sendBatch: async (messages: Array<{ body: { correlationId: string } }>) => {
        sent.push(...messages.filter((message) => message.body.correlationId === correlationId));
      },
    } as unknown as Queue;
    // Five relays at once, each taking up to 100 rows: row locks with SKIP LOCKED split the work.
    await Promise.all(Array.from({ length: 5 }, () => relayOutbox(postgres, countingQueue)));
    const rows = await outboxRows(correlationId);
    expect(rows.every((row) => row.published_at !== null)).toBe(true);
    expect(sent).toHaveLength(20);
  });

  it('leaves messages for the next run when the queue refuses them, recording the attempt', async () => {
    const correlationId = `outbox-broken-${crypto.randomUUID()}`;
    await enqueueCancellations(correlationId, 2);
    // Other tests' rows may be relayed alongside; keep relaying until ours are attempted.
    await eventually(async () => { await relayOutbox(postgres, brokenQueue); return outboxRows(correlationId); }, (found) => found.every((row) => row.attempts > 0));
    const failed = await outboxRows(correlationId);
    expect(failed.every((row) => row.published_at === null)).toBe(true);
    const [error] = await postgres.query<{ last_error: string }>('select last_error from outbox_events where id = $1', [failed[0]!.id]);
    expect(error!.last_error).toContain('queue unavailable');
  });

  it('is drained by the scheduled maintenance run', async () => {
    const correlationId = `outbox-cron-${crypto.randomUUID()}`;
    await enqueueCancellations(correlationId, 2);
    const rows = await eventually(async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx);
      await waitOnExecutionContext(ctx);
      return outboxRows(correlationId);
    }, (found) => found.every((row) => row.published_at !== null));
    expect(rows).toHaveLength(2);
  });
});
