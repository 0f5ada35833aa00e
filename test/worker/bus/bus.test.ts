import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { buildBusMessage, publish } from '../../../shared/bus/producer.ts';
import type { BusMessage } from '../../../shared/bus/messages.ts';
import { retryDelaySeconds } from '../../../shared/bus/consumer.ts';
import worker from '../../../workers/gateway/index.ts';
import { testStores } from '../../support/stores.ts';
import { eventually } from '../../support/wait.ts';

const { mongo } = testStores();
const auditRecords = (messageId: string) => mongo.collection('audit_events').find({ messageId });
const deadLetters = (messageId: string) => mongo.collection('dead_letters').find({ messageId });

function eventCreated(correlationId = 'bus-test-0001'): BusMessage {
  return buildBusMessage('event.created', { eventId: crypto.randomUUID(), organizerId: crypto.randomUUID(), title: 'Jazz night', startsAt: '2026-12-01T20:00:00Z' }, correlationId);
}

async function consume(queue: string, messages: Array<{ id: string; body: unknown; attempts?: number }>) {
  const batch = createMessageBatch(queue, messages.map((message) => ({ attempts: 1, timestamp: new Date(), ...message })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe('event bus', () => {
  it('refuses to build a message whose payload breaks its schema', () => {
    expect(() => buildBusMessage('event.created', { eventId: 'e1' } as never, 'bus-test-0002')).toThrow(/Invalid event.created/);
  });

  it('delivers a published message through the real queue to the audit trail', async () => {
    const message = await publish({ queue: env.EVENT_BUS, correlationId: 'bus-roundtrip-01' }, 'connection.accepted', {
      connectionId: crypto.randomUUID(), requesterId: crypto.randomUUID(), addresseeId: crypto.randomUUID(),
    });
    const records = await eventually(() => auditRecords(message.id), (found) => found.length === 1);
    expect(records[0]).toMatchObject({ type: 'connection.accepted', correlationId: 'bus-roundtrip-01', occurredAt: expect.any(Date) });
  });

  it('acks a delivered message and processes a redelivery only once', async () => {
    const message = eventCreated();
    const first = await consume('flow-events', [{ id: 'q-1', body: message }]);
    expect(first.explicitAcks).toEqual(['q-1']);
    const second = await consume('flow-events', [{ id: 'q-1-again', body: message, attempts: 2 }]);
    expect(second.explicitAcks).toEqual(['q-1-again']);
    expect(await auditRecords(message.id)).toHaveLength(1);
  });

  it('handles 10 concurrent deliveries of one message with a single audit record', async () => {
    const message = eventCreated();
    await Promise.all(Array.from({ length: 10 }, (_, index) => consume('flow-events', [{ id: `dup-${index}`, body: message }])));
    expect(await auditRecords(message.id)).toHaveLength(1);
  });

  it('dead-letters a malformed message at once instead of retrying it', async () => {
    const id = `poison-${crypto.randomUUID()}`;
    const result = await consume('flow-events', [{ id, body: { type: 'event.created', payload: { eventId: 42 } } }]);
    expect(result.explicitAcks).toEqual([id]);
    expect(result.retryMessages).toEqual([]);
    expect(await deadLetters(id)).toEqual([expect.objectContaining({ reason: 'invalid message', type: 'event.created' })]);
  });

  it('records messages that exhausted their retries from the dead-letter queue', async () => {
    const message = eventCreated();
    const result = await consume('flow-events-dlq', [{ id: message.id, body: message, attempts: 6 }]);
    expect(result.explicitAcks).toEqual([message.id]);
    expect(await deadLetters(message.id)).toEqual([expect.objectContaining({ reason: 'retries exhausted', queue: 'flow-events', attempts: 6 })]);
  });

  it('backs off exponentially with jitter, capped at five minutes', () => {
    for (const attempts of [1, 2, 3, 4]) {
      const delay = retryDelaySeconds(attempts);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(2 ** attempts * 0.75));
      expect(delay).toBeLessThanOrEqual(Math.ceil(2 ** attempts * 1.25));
    }
    expect(retryDelaySeconds(30)).toBeLessThanOrEqual(375);
  });
});
