import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { closeCodes, PING_FRAME } from '../../../shared/realtime/protocol.ts';
import { presenceSnapshotKey, type PresenceSnapshot } from '../../../shared/realtime/presence-snapshot.ts';
import type { PresenceAttachment } from '../../../durable-objects/presence/liveness.ts';
import { frameSocket, roundTrip, type FrameSocket } from '../../support/frame-socket.ts';
import { RoomClient, roomStub } from './chat-room-client.ts';
import { bearer, registerAndLogin } from '../../support/identity.ts';
import { call, expectProblem } from '../../support/http.ts';
import { testStores } from '../../support/stores.ts';
import { eventually } from '../../support/wait.ts';

const presenceOf = (userId: string) => env.PRESENCE.get(env.PRESENCE.idFromName(userId));

function upgrade(userId: string, headers: Record<string, string> = {}, device = 'phone'): Promise<Response> {
  return presenceOf(userId).fetch(`https://presence.internal/socket?device=${device}`, {
    headers: { upgrade: 'websocket', 'x-flow-user-id': userId, ...headers },
  });
}

async function connect(userId: string, device = 'phone'): Promise<FrameSocket> {
  return frameSocket(await upgrade(userId, {}, device));
}

const statusOf = (userId: string) => presenceOf(userId).status();
const settled = (userId: string, state: string) => eventually(() => statusOf(userId), (status) => status.state === state);

/** Makes every socket of the user look silent since `at`, as if no frame came after it. */
async function silenceSince(userId: string, at: number): Promise<void> {
  await runInDurableObject(presenceOf(userId), (_instance, state) => {
    for (const ws of state.getWebSockets()) {
      const attachment = ws.deserializeAttachment() as PresenceAttachment;
      ws.serializeAttachment({ ...attachment, connectedAt: at, lastFrameAt: at });
    }
  });
}

describe('Presence object: sockets behind the trusted header', () => {
  it('refuses requests that are not upgrades, lack the trusted user, or name another user', async () => {
    const userId = crypto.randomUUID();
    const plain = await presenceOf(userId).fetch('https://presence.internal/socket', { headers: { 'x-flow-user-id': userId } });
    expect(plain.status).toBe(426);
    const anonymous = await presenceOf(userId).fetch('https://presence.internal/socket', { headers: { upgrade: 'websocket' } });
    expect(anonymous.status).toBe(400);
    expect((await upgrade(userId, { 'x-flow-user-id': 'not-a-uuid' })).status).toBe(400);
    expect((await upgrade(userId, { 'x-flow-user-id': crypto.randomUUID() })).status).toBe(403);
    expect(await statusOf(userId)).toMatchObject({ state: 'offline', devices: [] });
  });

  it('echoes the flow.v1 subprotocol when the client offers it', async () => {
    const userId = crypto.randomUUID();
    const response = await upgrade(userId, { 'sec-websocket-protocol': 'flow.v1' });
    expect(response.headers.get('sec-websocket-protocol')).toBe('flow.v1');
    const socket = frameSocket(response);
    await socket.next('presence', (frame) => frame.userId === userId && frame.state === 'online');
    socket.ws.close(1000);
  });
});

describe('Presence across devices', () => {
  it('stays online while one device remains and goes offline, keeping lastSeenAt, when both are gone', async () => {
    const userId = crypto.randomUUID();
    const phone = await connect(userId, 'phone');
    await phone.next('presence', (frame) => frame.state === 'online');
    const laptop = await connect(userId, 'laptop');
    await laptop.next('presence', (frame) => frame.state === 'online');
    expect((await statusOf(userId)).devices.sort()).toEqual(['laptop', 'phone']);

    phone.ws.close(1000);
    await eventually(() => statusOf(userId), (status) => status.devices.length === 1);
    expect(await statusOf(userId)).toMatchObject({ state: 'online', devices: ['laptop'] });

    laptop.ws.close(1000);
    const offline = await settled(userId, 'offline');
    expect(offline.devices).toEqual([]);
    expect(Date.parse(offline.lastSeenAt ?? '')).toBeGreaterThan(0);
    const snapshot = await eventually(
      () => testStores().redis.run((redis) => redis.get<PresenceSnapshot>(presenceSnapshotKey(userId))),
      (value) => value?.state === 'offline',
    );
    expect(snapshot).toEqual({ state: 'offline', lastSeenAt: offline.lastSeenAt });
  });

  it('several devices connecting at once are all counted and all told the state', async () => {
    const userId = crypto.randomUUID();
    const sockets = await Promise.all(Array.from({ length: 6 }, (_, index) => connect(userId, `device-${index}`)));
    await Promise.all(sockets.map((socket) => socket.next('presence', (frame) => frame.state === 'online')));
    expect((await statusOf(userId)).devices).toHaveLength(6);
    for (const socket of sockets) socket.ws.close(1000);
    await settled(userId, 'offline');
  });

  it('away and busy are told to every device and outlive a reconnect', async () => {
    const userId = crypto.randomUUID();
    const phone = await connect(userId, 'phone');
    const laptop = await connect(userId, 'laptop');
    await laptop.next('presence', (frame) => frame.state === 'online');

    phone.send({ type: 'presence:set', state: 'away' });
    await laptop.next('presence', (frame) => frame.state === 'away');
    await phone.next('presence', (frame) => frame.state === 'away');
    phone.send({ type: 'presence:set', state: 'busy' });
    await laptop.next('presence', (frame) => frame.state === 'busy');
    expect((await statusOf(userId)).state).toBe('busy');

    phone.ws.close(1000);
    laptop.ws.close(1000);
    await settled(userId, 'offline');
    const again = await connect(userId, 'tablet');
    await again.next('presence', (frame) => frame.state === 'busy');
    again.send({ type: 'presence:set', state: 'online' });
    await again.next('presence', (frame) => frame.state === 'online');
    again.ws.close(1000);
  });
});

describe('Presence heartbeats and the idle timeout (alarm)', () => {
  it('answers the exact ping text without waking the object, and refreshes liveness with it', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    await socket.next('presence');
    const longAgo = Date.now() - 61_000;
    await silenceSince(userId, longAgo);
    socket.send(PING_FRAME);
    await socket.next('pong');
    // The alarm sees the auto-answered ping, so the socket is live although no frame reached the object.
    expect(await runDurableObjectAlarm(presenceOf(userId))).toBe(true);
    expect(await statusOf(userId)).toMatchObject({ state: 'online', devices: ['phone'] });
    await runInDurableObject(presenceOf(userId), async (_instance, state) => {
      expect(await state.storage.getAlarm()).not.toBeNull();
    });
    socket.ws.close(1000);
  });

  it('closes a silent socket with 4408 and takes the user offline, last seen at its last activity', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    await socket.next('presence');
    const longAgo = Date.now() - 61_000;
    await silenceSince(userId, longAgo);
    expect(await runDurableObjectAlarm(presenceOf(userId))).toBe(true);
    expect((await socket.closed).code).toBe(closeCodes.idle);
    const status = await statusOf(userId);
    expect(status).toMatchObject({ state: 'offline', devices: [], lastSeenAt: new Date(longAgo).toISOString() });
  });

  it('closes only the silent device; the user stays online on the other', async () => {
    const userId = crypto.randomUUID();
    const phone = await connect(userId, 'phone');
    await phone.next('presence');
    await silenceSince(userId, Date.now() - 61_000);
    const laptop = await connect(userId, 'laptop');
    await laptop.next('presence');
    await runDurableObjectAlarm(presenceOf(userId));
    expect((await phone.closed).code).toBe(closeCodes.idle);
    expect(await statusOf(userId)).toMatchObject({ state: 'online', devices: ['laptop'] });
    laptop.ws.close(1000);
  });
});

describe('Presence frames that are refused', () => {
  it('answers garbage, unknown and other-channel frames with error frames and changes nothing', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    await socket.next('presence');
    socket.send('not json');
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_frame' });
    socket.send({ type: 'presence:set', state: 'offline' });
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_frame' });
    socket.send('{"type":"presence:set","state":"away","__proto__":{"polluted":true}}');
    expect(await socket.next('error')).toMatchObject({ code: 'invalid_frame' });
    socket.send({ type: 'message:send', clientMessageId: 'a', text: 'hi' });
    expect(await socket.next('error')).toMatchObject({ code: 'unsupported' });
    await roundTrip(socket);
    expect((await statusOf(userId)).state).toBe('online');
    socket.ws.close(1000);
  });

  it('closes with 1009 after a frame over the size limit', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    await socket.next('presence');
    socket.send(JSON.stringify({ type: 'presence:set', state: 'away', pad: 'x'.repeat(20_000) }));
    expect(await socket.next('error')).toMatchObject({ code: 'frame_too_big' });
    expect((await socket.closed).code).toBe(closeCodes.frameTooBig);
    expect((await statusOf(userId)).state).not.toBe('away');
  });

  it('tells a flooding socket it is rate limited, and applies none of the excess frames', async () => {
    const userId = crypto.randomUUID();
    const socket = await connect(userId);
    await socket.next('presence');
    for (let index = 0; index < 20; index++) socket.send('{ "type": "ping" }');
    socket.send({ type: 'presence:set', state: 'busy' });
    expect(await socket.next('error')).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    expect(socket.frames.filter((frame) => frame.type === 'pong')).toHaveLength(20);
    expect((await statusOf(userId)).state).toBe('online');
    socket.ws.close(1000);
  });
});

describe('Presence fan-out to accepted connections', () => {
  it('a connected peer hears about the change; a stranger does not', async () => {
    const [alice, bob, carol] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    await testStores().postgres.query(
      `INSERT INTO connections (requester_id, addressee_id, status, responded_at) VALUES ($1, $2, 'accepted', now())`,
      [alice.id, bob.id],
    );
    const bobSocket = await connect(bob.id);
    const carolSocket = await connect(carol.id);
    await bobSocket.next('presence', (frame) => frame.userId === bob.id);
    await carolSocket.next('presence', (frame) => frame.userId === carol.id);

    const aliceSocket = await connect(alice.id);
    await bobSocket.next('presence', (frame) => frame.userId === alice.id && frame.state === 'online');
    aliceSocket.send({ type: 'presence:set', state: 'away' });
    await bobSocket.next('presence', (frame) => frame.userId === alice.id && frame.state === 'away');
    aliceSocket.ws.close(1000);
    await bobSocket.next('presence', (frame) => frame.userId === alice.id && frame.state === 'offline' && frame.lastSeenAt !== null);

    await roundTrip(carolSocket);
    expect(carolSocket.frames.filter((frame) => frame.type === 'presence' && frame.userId === alice.id)).toEqual([]);
    bobSocket.ws.close(1000);
    carolSocket.ws.close(1000);
  });
});

describe('Presence fan-out to the rooms the user is in', () => {
  it('a member listening in a shared room gets the presence frame from the room', async () => {
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const postgres = testStores().postgres;
    const [room] = await postgres.query<{ id: string }>(`INSERT INTO chat_rooms (kind, subject_id) VALUES ('group', gen_random_uuid()) RETURNING id`);
    await postgres.query(`INSERT INTO chat_room_members (room_id, account_id) VALUES ($1, $2), ($1, $3)`, [room!.id, alice.id, bob.id]);
    await roomStub(room!.id).addMember(alice.id);
    await roomStub(room!.id).addMember(bob.id);
    const listener = await RoomClient.open(room!.id, bob.id, { join: true });

    const aliceSocket = await connect(alice.id);
    await listener.waitFor('presence', 1, (frame) => frame.userId === alice.id && frame.state === 'online');
    aliceSocket.ws.close(1000);
    await listener.waitFor('presence', 1, (frame) => frame.userId === alice.id && frame.state === 'offline');
    listener.close();
  });
});

describe('GET /api/v1/presence', () => {
  it('returns real states for self, connections and room co-members; strangers read as offline', async () => {
    const [me, friend, roommate, stranger] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const postgres = testStores().postgres;
    await postgres.query(`INSERT INTO connections (requester_id, addressee_id, status, responded_at) VALUES ($1, $2, 'accepted', now())`, [friend.id, me.id]);
    const [room] = await postgres.query<{ id: string }>(`INSERT INTO chat_rooms (kind, subject_id) VALUES ('group', gen_random_uuid()) RETURNING id`);
    await postgres.query(`INSERT INTO chat_room_members (room_id, account_id) VALUES ($1, $2), ($1, $3)`, [room!.id, me.id, roommate.id]);

    const sockets = await Promise.all([connect(me.id), connect(friend.id), connect(roommate.id), connect(stranger.id)]);
    sockets[2]!.send({ type: 'presence:set', state: 'busy' });
    for (const [userId, state] of [[me.id, 'online'], [friend.id, 'online'], [roommate.id, 'busy'], [stranger.id, 'online']] as const) {
      await eventually(() => testStores().redis.run((redis) => redis.get<PresenceSnapshot>(presenceSnapshotKey(userId))), (value) => value?.state === state);
    }
    const neverSeen = crypto.randomUUID();
    const ids = [friend.id, roommate.id, stranger.id, neverSeen, me.id, friend.id.toUpperCase()].join(',');
    const response = await call(`/api/v1/presence?ids=${ids}`, { headers: bearer(me.tokens.accessToken) });
    expect(response.status).toBe(200);
    const { presence } = (await response.json()) as { presence: Array<{ userId: string; state: string; lastSeenAt: string | null }> };
    expect(presence.map((entry) => [entry.userId, entry.state])).toEqual([
      [friend.id, 'online'], [roommate.id, 'busy'], [stranger.id, 'offline'], [neverSeen, 'offline'], [me.id, 'online'],
    ]);
    expect(presence.find((entry) => entry.userId === stranger.id)?.lastSeenAt).toBeNull();
    for (const socket of sockets) socket.ws.close(1000);
  });

  it('hides a connection who blocked the caller', async () => {
    const [me, friend] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const postgres = testStores().postgres;
    await postgres.query(`INSERT INTO connections (requester_id, addressee_id, status, responded_at) VALUES ($1, $2, 'accepted', now())`, [friend.id, me.id]);
    const socket = await connect(friend.id);
    await eventually(() => testStores().redis.run((redis) => redis.get<PresenceSnapshot>(presenceSnapshotKey(friend.id))), (value) => value?.state === 'online');
    const ask = async () => ((await (await call(`/api/v1/presence?ids=${friend.id}`, { headers: bearer(me.tokens.accessToken) })).json()) as { presence: Array<{ state: string }> }).presence[0]!.state;
    expect(await ask()).toBe('online');
    await postgres.query(`INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)`, [friend.id, me.id]);
    expect(await ask()).toBe('offline');
    socket.ws.close(1000);
  });

  it('refuses 101 ids, malformed ids, a missing ids list and unknown parameters (400)', async () => {
    const me = await registerAndLogin();
    const auth = { headers: bearer(me.tokens.accessToken) };
    const many = Array.from({ length: 101 }, () => crypto.randomUUID()).join(',');
    await expectProblem(await call(`/api/v1/presence?ids=${many}`, auth), 400);
    const hundred = Array.from({ length: 100 }, () => crypto.randomUUID()).join(',');
    expect((await call(`/api/v1/presence?ids=${hundred}`, auth)).status).toBe(200);
    await expectProblem(await call(`/api/v1/presence?ids=${crypto.randomUUID()},nope`, auth), 400);
    await expectProblem(await call(`/api/v1/presence?ids=${crypto.randomUUID()},`, auth), 400);
    await expectProblem(await call('/api/v1/presence', auth), 400);
    await expectProblem(await call(`/api/v1/presence?ids=${me.id}&extra=1`, auth), 400);
  });

  it('needs a valid bearer token (401)', async () => {
    await expectProblem(await call(`/api/v1/presence?ids=${crypto.randomUUID()}`), 401);
    await expectProblem(await call(`/api/v1/presence?ids=${crypto.randomUUID()}`, { headers: bearer('garbage') }), 401);
  });
});
