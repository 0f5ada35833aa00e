import { beforeAll, describe, expect, it } from 'vitest';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { createEvent } from '../../support/events.ts';
import { testStores } from '../../support/stores.ts';
import { attend, quickUser, quickUsers } from '../../support/ticketing.ts';
import { awaitMembership, joinRoom, roomSocketPath, ticketFor, upgrade } from './gateway-client.ts';

interface DirectRoom { id: string; kind: 'dm'; peerId: string; socketPath: string }
interface RoomsPage { items: { id: string; kind: string; title: string | null; peerId: string | null; role: string; memberCount: number; socketPath: string }[]; nextCursor: string | null }
interface HistoryPage { messages: { seq: number; senderId: string; clientMessageId: string; text: string }[]; hasMore: boolean }

const openDirect = (from: TestUser, userId: unknown) => callJson('/api/v1/realtime/rooms/direct', 'POST', { userId }, bearer(from.tokens.accessToken));
const get = (user: TestUser, path: string) => call(path, { headers: bearer(user.tokens.accessToken) });

describe('POST /api/v1/realtime/rooms/direct', () => {
  it('creates the room once (201), then returns it to either participant (200)', async () => {
    const [alice, bob] = await quickUsers(2);
    const created = await openDirect(alice!, bob!.id);
    expect(created.status).toBe(201);
    const room = (await created.json()) as DirectRoom;
    expect(room).toEqual({ id: expect.any(String), kind: 'dm', peerId: bob!.id, socketPath: roomSocketPath(room.id) });
    const again = await openDirect(alice!, bob!.id);
    expect(again.status).toBe(200);
    expect(((await again.json()) as DirectRoom).id).toBe(room.id);
    const fromBob = await openDirect(bob!, alice!.id);
    expect(fromBob.status).toBe(200);
    expect((await fromBob.json()) as DirectRoom).toMatchObject({ id: room.id, peerId: alice!.id });
  });

  it('yields one room under ten parallel calls from both sides', async () => {
    const [alice, bob] = await quickUsers(2);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? openDirect(alice!, bob!.id) : openDirect(bob!, alice!.id))));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(9);
    const ids = new Set(await Promise.all(responses.map(async (response) => ((await response.json()) as DirectRoom).id)));
    expect(ids.size).toBe(1);
    const rows = await testStores().postgres.query<{ id: string; members: number }>(
      `select r.id, (select count(*)::int from chat_room_members m where m.room_id = r.id) as members
         from chat_rooms r where r.dm_key = $1`,
      [[alice!.id, bob!.id].sort().join(':')],
    );
    expect(rows).toEqual([{ id: [...ids][0], members: 2 }]);
  });

  it('refuses yourself, an unknown account, bad bodies and anonymous callers', async () => {
    const alice = await quickUser();
    await expectProblem(await openDirect(alice, alice.id), 400);
    await expectProblem(await openDirect(alice, crypto.randomUUID()), 404);
    await expectProblem(await openDirect(alice, 'not-a-uuid'), 400);
    await expectProblem(await callJson('/api/v1/realtime/rooms/direct', 'POST', { userId: crypto.randomUUID(), extra: 1 }, bearer(alice.tokens.accessToken)), 400);
    await expectProblem(await callJson('/api/v1/realtime/rooms/direct', 'POST', { userId: crypto.randomUUID() }), 401);
  });

  it('lets the two participants talk and nobody else in', async () => {
    const [alice, bob, eve] = await quickUsers(3);
    const room = (await (await openDirect(alice!, bob!.id)).json()) as DirectRoom;
    const [a, b] = await Promise.all([joinRoom(room.id, alice!), joinRoom(room.id, bob!)]);
    a.send({ type: 'message:send', clientMessageId: 'dm-1', text: 'hi Bob' });
    const [received] = await b.waitFor('message:received', 1, (frame) => frame.clientMessageId === 'dm-1');
    expect(received).toMatchObject({ senderId: alice!.id, text: 'hi Bob' });
    await expectProblem(await upgrade(room.socketPath, { ticket: await ticketFor(eve!) }), 403);
    a.ws.close(1000);
    b.ws.close(1000);
  });
});

describe('GET /api/v1/realtime/rooms', () => {
  let me: TestUser;
  let eventId: string;
  let dmId: string;
  let peer: TestUser;

  beforeAll(async () => {
    let organizer: TestUser;
    [me, peer, organizer] = await quickUsers(3) as [TestUser, TestUser, TestUser];
    const event = await createEvent(organizer);
    eventId = event.id;
    expect((await attend(eventId, me)).status).toBe(201);
    await awaitMembership(eventId, me.id);
    dmId = ((await (await openDirect(me, peer.id)).json()) as DirectRoom).id;
  });

  it('lists my rooms, newest first, with titles and socket paths', async () => {
    const response = await get(me, '/api/v1/realtime/rooms');
    expect(response.status).toBe(200);
    const page = (await response.json()) as RoomsPage;
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((room) => room.id)).toEqual([dmId, eventId]);
    expect(page.items[0]).toMatchObject({ kind: 'dm', peerId: peer.id, title: peer.username, role: 'member', memberCount: 2, socketPath: roomSocketPath(dmId) });
    expect(page.items[1]).toMatchObject({ kind: 'event', peerId: null, role: 'member', memberCount: 2 });
    expect(page.items[1]!.title).toMatch(/^Test event /);
  });

  it('pages with a cursor and refuses a forged one', async () => {
    const first = (await (await get(me, '/api/v1/realtime/rooms?limit=1')).json()) as RoomsPage;
    expect(first.items.map((room) => room.id)).toEqual([dmId]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await (await get(me, `/api/v1/realtime/rooms?limit=1&cursor=${first.nextCursor}`)).json()) as RoomsPage;
    expect(second.items.map((room) => room.id)).toEqual([eventId]);
    expect(second.nextCursor).toBeNull();
    await expectProblem(await get(me, '/api/v1/realtime/rooms?cursor=bm9wZQ'), 400);
    await expectProblem(await get(me, '/api/v1/realtime/rooms?limit=0'), 400);
  });

  it('shows nothing of other people\'s rooms and needs authentication', async () => {
    const stranger = await quickUser();
    expect(((await (await get(stranger, '/api/v1/realtime/rooms')).json()) as RoomsPage).items).toEqual([]);
    await expectProblem(await call('/api/v1/realtime/rooms'), 401);
  });
});

describe('GET /api/v1/realtime/rooms/{roomId}/messages', () => {
  it('pages a member through the log, oldest first, and refuses non-members', async () => {
    const [alice, bob, eve] = await quickUsers(3);
    const room = (await (await openDirect(alice!, bob!.id)).json()) as DirectRoom;
    const client = await joinRoom(room.id, alice!);
    for (let i = 1; i <= 5; i++) {
      client.send({ type: 'message:send', clientMessageId: `m-${i}`, text: `message ${i}` });
      await client.waitFor('message:ack', i);
    }
    client.ws.close(1000);

    const all = (await (await get(bob!, `/api/v1/realtime/rooms/${room.id}/messages`)).json()) as HistoryPage;
    expect(all.messages.map((message) => message.text)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
    expect(all.messages.every((message) => message.senderId === alice!.id)).toBe(true);
    expect(all.hasMore).toBe(false);

    const last = (await (await get(bob!, `/api/v1/realtime/rooms/${room.id}/messages?limit=2`)).json()) as HistoryPage;
    expect(last.messages.map((message) => message.clientMessageId)).toEqual(['m-4', 'm-5']);
    expect(last.hasMore).toBe(true);
    const earlier = (await (await get(bob!, `/api/v1/realtime/rooms/${room.id}/messages?limit=2&before=${last.messages[0]!.seq}`)).json()) as HistoryPage;
    expect(earlier.messages.map((message) => message.clientMessageId)).toEqual(['m-2', 'm-3']);

    await expectProblem(await get(eve!, `/api/v1/realtime/rooms/${room.id}/messages`), 403);
    await expectProblem(await get(eve!, `/api/v1/realtime/rooms/${crypto.randomUUID()}/messages`), 404);
    await expectProblem(await get(bob!, `/api/v1/realtime/rooms/${room.id}/messages?limit=101`), 400);
    await expectProblem(await get(bob!, `/api/v1/realtime/rooms/${room.id}/messages?before=-1`), 400);
    await expectProblem(await call(`/api/v1/realtime/rooms/${room.id}/messages`), 401);
  });
});
