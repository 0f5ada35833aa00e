import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { buildBusMessage } from '../../shared/bus/producer.ts';
import { StoreUnavailableError } from '../../shared/errors.ts';
import worker from '../../workers/gateway/index.ts';
import { call, callJson, expectProblem } from '../support/http.ts';
import { clientAddress } from '../support/identity.ts';
import { controlStore, type StoreName } from '../support/stack-control.ts';
import { testStores } from '../support/stores.ts';
import { eventually } from '../support/wait.ts';

const ready = () => call('/health/ready');
const readyAgain = () => eventually(ready, (response) => response.status === 200, 20_000);

async function expectNamedOutage(store: StoreName): Promise<void> {
  const response = await ready();
  const problem = await expectProblem(response, 503);
  expect(problem.down).toEqual([store]);
  expect(problem.detail).toContain(store);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
}

// One store at a time goes down mid-run; the same Worker must report it and recover by itself.
describe('store outages', () => {
  it('starts healthy', async () => {
    expect((await ready()).status).toBe(200);
  });

  it('Redis down: readiness names it, calls get 503, then recovery without a restart', async () => {
    await controlStore('redis', 'stop');
    try {
      await expectNamedOutage('redis');
      const error = await testStores().redis.run((redis) => redis.get('anything')).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await controlStore('redis', 'start');
    }
    expect((await readyAgain()).status).toBe(200);
    const key = `after-outage:${crypto.randomUUID()}`;
    await eventually(() => testStores().redis.run((redis) => redis.set(key, 'ok')).catch(() => null), (value) => value === 'OK');
    expect(await testStores().redis.run((redis) => redis.get(key))).toBe('ok');
  });

  it('Postgres down: readiness names it, writes fail whole, recovery without a restart', async () => {
    const table = `outage_${crypto.randomUUID().replaceAll('-', '')}`;
    await testStores().postgres.query(`create table ${table} (id int primary key)`);
    await controlStore('postgres', 'stop');
    try {
      await expectNamedOutage('postgres');
      const write = testStores().postgres.transaction(async (tx) => {
        await tx.query(`insert into ${table} values (1)`);
        await tx.query(`insert into ${table} values (2)`);
      });
      await expect(write).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await controlStore('postgres', 'start');
    }
    expect((await readyAgain()).status).toBe(200);
    const rows = await eventually(() => testStores().postgres.query(`select id from ${table}`).catch(() => null), (value) => value !== null);
    expect(rows).toEqual([]); // nothing half-written
  });

  it('MongoDB down: readiness names it, bus messages are retried not lost, recovery without a restart', async () => {
    const message = buildBusMessage('user.deleted', { userId: crypto.randomUUID() }, 'fault-mongo-0001');
    await controlStore('mongo', 'stop');
    try {
      await expectNamedOutage('mongo');
      const batch = createMessageBatch('flow-events', [{ id: 'during-outage', timestamp: new Date(), attempts: 1, body: message }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages.map((retry) => retry.msgId)).toEqual(['during-outage']);
    } finally {
      await controlStore('mongo', 'start');
    }
    expect((await readyAgain()).status).toBe(200);
    const retried = createMessageBatch('flow-events', [{ id: 'after-outage', timestamp: new Date(), attempts: 2, body: message }]);
    const ctx = createExecutionContext();
    await worker.queue(retried, env, ctx);
    expect((await getQueueResult(retried, ctx)).explicitAcks).toEqual(['after-outage']);
    expect(await testStores().mongo.collection('audit_events').countDocuments({ messageId: message.id })).toBe(1);
  });
});

describe('login limiter with Redis down', () => {
  it('fails closed: 503, never a password check', async () => {
    const ip = clientAddress();
    await controlStore('redis', 'stop');
    try {
      const response = await callJson('/api/v1/auth/login', 'POST', { email: 'someone@example.com', password: 'whatever it is' }, { 'cf-connecting-ip': ip });
      const problem = await expectProblem(response, 503);
      expect(problem.code).toBe('store_unavailable');
    } finally {
      await controlStore('redis', 'start');
    }
    expect((await readyAgain()).status).toBe(200);
  });
});
