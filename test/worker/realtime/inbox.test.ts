import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeCodes, type Notification } from '../../../shared/realtime/protocol.ts';
import { frameSocket, roundTrip, type FrameSocket } from '../../support/frame-socket.ts';

const inboxOf = (userId: string) => env.INBOX.get(env.INBOX.idFromName(userId));

function upgrade(userId: string, headers: Record<string, string> = {}): Promise<Response> {
  return inboxOf(userId).fetch('https://inbox.internal/socket', { headers: { upgrade: 'websocket', 'x-flow-user-id': userId, ...headers } });
}

async function connect(userId: string): Promise<FrameSocket> {
  const socket = frameSocket(await upgrade(userId));
  await socket.next('inbox:unread');
  return socket;
}

const notification = (overrides: Partial<Notification> = {}): Notification => ({
  id: crypto.randomUUID(),
  kind: 'event.reminder',
  title: 'Your event starts in an hour',
  body: 'Jazz night at the harbour',
  data: { eventId: crypto.randomUUID() },
  createdAt: new Date().toISOString(),
  ...overrides,
});

describe('Inbox object: sockets behind the trusted header', () => {
  it('refuses requests that are not upgrades, lack the trusted user, or name another user', async () => {
    const userId = crypto.randomUUID();
    expect((await inboxOf(userId).fetch('https://inbox.internal/socket', { headers: { 'x-flow-user-id': userId } })).status).toBe(426);
    expect((await inboxOf(userId).fetch('https://inbox.internal/socket', { headers: { upgrade: 'websocket' } })).status).toBe(400);
    expect((await upgrade(userId, { 'x-flow-user-id': crypto.randomUUID() })).status).toBe(403);
    expect(await inboxOf(userId).unreadCount()).toBe(0);
  });

  it('a new socket is told the unread count', async () => {
    const userId = crypto.randomUUID();
    await inboxOf(userId).deliver(notification());
    const socket = frameSocket(await upgrade(userId));
    expect(await socket.next('inbox:unread')).toEqual({ type: 'inbox:unread', count: 1 });
    socket.ws.close(1000);
  });
});

describe('Inbox delivery', () => {
  it('stores a notification once, pushes it to all the user\'s sockets and never to another user', async () => {
    const userId = crypto.randomUUID();
    const otherId = crypto.randomUUID();
    const [phone, laptop, other] = await Promise.all([connect(userId), connect(userId), connect(otherId)]);
    const sent = notification({ link: '/events/1' });

    expect(await inboxOf(userId).deliver(sent)).toEqual({ stored: true, unread: 1 });
    expect(await inboxOf(userId).deliver({ ...sent, title: 'changed' })).toEqual({ stored: false, unread: 1 });
    for (const socket of [phone, laptop]) {
      expect(await socket.next('notification:new')).toEqual({ type: 'notification:new', notification: sent });
      expect(await socket.next('inbox:unread')).toEqual({ type: 'inbox:unread', count: 1 });
    }
    await roundTrip(phone);
    expect(phone.frames.filter((frame) => frame.type === 'notification:new')).toHaveLength(1);
    await roundTrip(other);
    expect(other.frames.filter((frame) => frame.type === 'notification:new')).toEqual([]);
    expect(await inboxOf(otherId).unreadCount()).toBe(0);
    expect((await inboxOf(userId).recent()).map((item) => [item.id, item.title, item.readAt])).toEqual([[sent.id, sent.title, null]]);
    for (const socket of [phone, laptop, other]) socket.ws.close(1000);
  });

  it('parallel deliveries: one id sent ten times is stored once; twenty distinct ones all count', async () => {
    const userId = crypto.randomUUID();
    const repeated = notification();
    const results = await Promise.all(Array.from({ length: 10 }, () => inboxOf(userId).deliver(repeated)));
    expect(results.filter((result) => result.stored)).toHaveLength(1);
    await Promise.all(Array.from({ length: 20 }, () => inboxOf(userId).deliver(notification())));
    expect(await inboxOf(userId).unreadCount()).toBe(21);
  });

  it('refuses a malformed notification and stores nothing', async () => {
    const userId = crypto.randomUUID();
    const bad = [
      { ...notification(), id: '' },
      { ...notification(), createdAt: 'yesterday' },
      { ...notification(), title: 'x'.repeat(501) },
      { ...notification(), extra: true },
    ];
    for (const value of bad) {
      expect(await inboxOf(userId).deliver(value as Notification)).toMatchObject({ stored: false, unread: 0, error: expect.any(String) });
    }
    expect(await inboxOf(userId).markRead([''])).toMatchObject({ marked: 0, error: expect.any(String) });
    expect(await inboxOf(userId).unreadCount()).toBe(0);
  });

  it('keeps what it stored across a restart of the object', async () => {
    const userId = crypto.randomUUID();
    const kept = notification();
    await inboxOf(userId).deliver(kept);
    // abort() throws inside the object by design: the instance is gone, its storage is not.
    await expect(runInDurableObject(inboxOf(userId), (_instance, state) => state.abort('restart'))).rejects.toThrow();
    await expect(inboxOf(userId).unreadCount()).resolves.toBe(1);
    expect(await inboxOf(userId).deliver(kept)).toEqual({ stored: false, unread: 1 });
  });
});

describe('Marking read', () => {
  it('by RPC: some ids, unknown ids, then all; each change pushes the new count', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    const items = [notification(), notification(), notification()];
    for (const item of items) await inboxOf(userId).deliver(item);
    await socket.next('inbox:unread', (frame) => frame.count === 3);

    expect(await inboxOf(userId).markRead([items[0]!.id, items[1]!.id])).toEqual({ marked: 2, unread: 1 });
    await socket.next('inbox:unread', (frame) => frame.count === 1);
    expect(await inboxOf(userId).markRead([items[0]!.id, 'unknown-id'])).toEqual({ marked: 0, unread: 1 });
    expect(await inboxOf(userId).markRead('all')).toEqual({ marked: 1, unread: 0 });
    await socket.next('inbox:unread', (frame) => frame.count === 0);
    expect((await inboxOf(userId).recent()).every((item) => item.readAt !== null)).toBe(true);
    socket.ws.close(1000);
  });

  it('by inbox:read frames: the other device hears the new count; invalid frames change nothing', async () => {
    const userId = crypto.randomUUID();
    const [phone, laptop] = await Promise.all([connect(userId), connect(userId)]);
    const items = [notification(), notification()];
    for (const item of items) await inboxOf(userId).deliver(item);
    await laptop.next('inbox:unread', (frame) => frame.count === 2);

    phone.send({ type: 'inbox:read', ids: [] });
    expect(await phone.next('error')).toMatchObject({ code: 'invalid_frame' });
    phone.send({ type: 'inbox:read', ids: Array.from({ length: 101 }, (_, index) => `id-${index}`) });
    expect(await phone.next('error')).toMatchObject({ code: 'invalid_frame' });
    phone.send({ type: 'inbox:read', ids: 'some' });
    expect(await phone.next('error')).toMatchObject({ code: 'invalid_frame' });
    phone.send({ type: 'presence:set', state: 'away' });
    expect(await phone.next('error')).toMatchObject({ code: 'unsupported' });
    expect(await inboxOf(userId).unreadCount()).toBe(2);

    phone.send({ type: 'inbox:read', ids: [items[0]!.id] });
    await laptop.next('inbox:unread', (frame) => frame.count === 1);
    phone.send({ type: 'inbox:read', ids: 'all' });
    await laptop.next('inbox:unread', (frame) => frame.count === 0);
    // Nothing left to mark: only the asking socket is answered with the count.
    phone.send({ type: 'inbox:read', ids: 'all' });
    await phone.next('inbox:unread', (frame) => frame.count === 0);
    phone.ws.close(1000);
    laptop.ws.close(1000);
  });

  it('closes with 1009 after a frame over the size limit', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    socket.send(JSON.stringify({ type: 'inbox:read', ids: ['x'.repeat(20_000)] }));
    expect(await socket.next('error')).toMatchObject({ code: 'frame_too_big' });
    expect((await socket.closed).code).toBe(closeCodes.frameTooBig);
  });
});

describe('Inbox under random frames', () => {
  it('answers every random frame without crashing and changes nothing', async () => {
    const userId = crypto.randomUUID();
    await inboxOf(userId).deliver(notification());
    const hostile = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.record({ type: fc.constantFrom('inbox:read', 'ping', 'presence:set', 'message:send', '__proto__'), ids: fc.anything({ maxDepth: 2 }) }).map((value) => JSON.stringify(value)),
    ).filter((text) => !/"type":"inbox:read","ids":(\["[^"]+"(,"[^"]+")*\]|"all")\}$/.test(text));
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 8 }), async (frames) => {
        // A fresh socket per run, so the per-socket frame budget is never what answers.
        const socket = await connect(userId);
        for (const text of frames) socket.send(text);
        await roundTrip(socket);
        expect(socket.ws.readyState).toBe(WebSocket.OPEN);
        socket.ws.close(1000);
      }),
      { numRuns: 30 },
    );
    expect(await inboxOf(userId).unreadCount()).toBe(1);
  });
});
