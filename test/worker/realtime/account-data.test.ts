import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { closeCodes, type ChatMessage } from '../../../shared/realtime/protocol.ts';
import { presenceSnapshotKey } from '../../../shared/realtime/presence-snapshot.ts';
import { createEvent } from '../../support/events.ts';
import { frameSocket } from '../../support/frame-socket.ts';
import { call, callJson } from '../../support/http.ts';
import { bearer, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, quickUser } from '../../support/ticketing.ts';
import { eventually } from '../../support/wait.ts';
import { roomStub, storedMessages } from './chat-room-client.ts';
import { awaitMembership, joinRoom, type GatewayClient } from './gateway-client.ts';

const stores = testStores();
const deleteAccount = (user: TestUser) => callJson('/api/v1/users/me', 'DELETE', { password: user.password }, bearer(user.tokens.accessToken));

/** Sends a message and waits for the room to acknowledge it; returns its seq. */
async function say(client: GatewayClient, text: string): Promise<number> {
  const clientMessageId = crypto.randomUUID();
  client.send({ type: 'message:send', clientMessageId, text });
  return (await client.waitFor('message:ack', 1, (ack) => ack.clientMessageId === clientMessageId))[0]!.seq;
}

async function history(roomId: string, user: TestUser): Promise<ChatMessage[]> {
  const response = await call(`/api/v1/realtime/rooms/${roomId}/messages?limit=100`, { headers: bearer(user.tokens.accessToken) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: ChatMessage[] }).messages;
}

/** An event of a fresh organizer that `people` attend, with their room memberships arrived. */
async function eventAttendedBy(...people: TestUser[]) {
  const organizer = await quickUser();
  const event = await createEvent(organizer);
  for (const person of people) {
    expect((await attend(event.id, person)).status).toBe(201);
    await awaitMembership(event.id, person.id);
  }
  return event;
}

describe('account deletion reaches the realtime objects', () => {
  it('erases the messages of every room the user is or was in, in place; the rooms and the others\' messages go on', async () => {
    const [leaver, stayer] = await Promise.all([registerAndLogin(), quickUser()]);
    const current = await eventAttendedBy(leaver, stayer);
    const left = await eventAttendedBy(leaver, stayer);

    const leaverHere = await joinRoom(current.id, leaver);
    const stayerHere = await joinRoom(current.id, stayer);
    const first = await say(leaverHere, 'first from the leaver');
    const kept = await say(stayerHere, 'from the one who stays');
    const newest = await say(leaverHere, 'the newest message is the leaver\'s');
    // Archived already: the archive's copies must be erased as well.
    expect(await runDurableObjectAlarm(roomStub(current.id))).toBe(true);
    await eventually(() => stores.mongo.collection('chat_messages').countDocuments({ roomId: current.id }), (count) => count === 3);

    // A room the user left: their message stays in its log, and so it must be found and erased too.
    const leaverThere = await joinRoom(left.id, leaver);
    const saidThere = await say(leaverThere, 'said before leaving');
    const keptThere = await say(await joinRoom(left.id, stayer), 'still here');
    expect((await cancelAttendance(left.id, leaver)).status).toBe(204);
    await awaitMembership(left.id, leaver.id, null);

    // A room left before leaving was recorded (0018): found through the archive's copy.
    const unrecorded = await eventAttendedBy(leaver);
    const saidLongAgo = await say(await joinRoom(unrecorded.id, leaver), 'said long ago');
    expect(await runDurableObjectAlarm(roomStub(unrecorded.id))).toBe(true);
    await eventually(() => stores.mongo.collection('chat_messages').countDocuments({ roomId: unrecorded.id }), (count) => count === 1);
    expect((await cancelAttendance(unrecorded.id, leaver)).status).toBe(204);
    await awaitMembership(unrecorded.id, leaver.id, null);
    await stores.postgres.query('delete from chat_room_past_members where room_id = $1', [unrecorded.id]);

    expect((await deleteAccount(leaver)).status).toBe(204);

    expect((await leaverHere.waitClose()).code).toBe(closeCodes.unauthorized);
    // The others still connected are told; the newest message no longer counts as unread.
    expect(await stayerHere.waitFor('messages:erased')).toEqual([{ type: 'messages:erased', userId: leaver.id }]);
    const erasedAt = stayerHere.frames.findIndex((frame) => frame.type === 'messages:erased');
    const recount = await eventually(async () => stayerHere.frames.slice(erasedAt).find((frame) => frame.type === 'unread'), (frame) => frame !== undefined);
    expect(recount).toEqual({ type: 'unread', count: 0 });

    // Each erased message keeps its seq (no gaps) and nothing of its sender or text.
    const erased = (seq: number) => ({ roomId: current.id, seq, senderId: null, clientMessageId: null, text: '', erased: true });
    const shown = await history(current.id, stayer);
    expect(shown.map(({ sentAt: _, ...message }) => message)).toEqual([
      erased(first),
      { roomId: current.id, seq: kept, senderId: stayer.id, clientMessageId: expect.any(String), text: 'from the one who stays' },
      erased(newest),
    ]);
    expect((await storedMessages(left.id)).map((row) => [row.seq, row.sender_id, row.text])).toEqual([[saidThere, '', ''], [keptThere, stayer.id, 'still here']]);
    expect(JSON.stringify(await storedMessages(current.id))).not.toContain(leaver.id);
    expect((await storedMessages(unrecorded.id)).map((row) => [row.seq, row.sender_id, row.text])).toEqual([[saidLongAgo, '', '']]);
    const archived = async () => (await stores.mongo.collection('chat_messages').find({ roomId: current.id }, { sort: { seq: 1 }, projection: { _id: 0, createdAt: 0 } }));
    const expectedArchive = [
      { roomId: current.id, seq: first, senderId: null, clientMessageId: null, body: '', erased: true },
      { roomId: current.id, seq: kept, senderId: stayer.id, clientMessageId: expect.any(String), body: 'from the one who stays' },
      { roomId: current.id, seq: newest, senderId: null, clientMessageId: null, body: '', erased: true },
    ];
    expect(await archived()).toEqual(expectedArchive);
    // The room archives its erased messages again (whichever write lands last, the archive ends erased).
    expect(await runDurableObjectAlarm(roomStub(current.id))).toBe(true);
    expect(await archived()).toEqual(expectedArchive);
    expect(await stores.mongo.collection('chat_messages').countDocuments({ senderId: leaver.id })).toBe(0);
    expect(await stores.postgres.query('select 1 from chat_room_past_members where account_id = $1', [leaver.id])).toEqual([]);

    // The room goes on after the erased newest message.
    const rejoined = await joinRoom(current.id, stayer);
    const joined = rejoined.of('room:joined')[0]!;
    expect(joined.lastSeq).toBe(newest);
    expect(joined.members.map((member) => member.userId)).not.toContain(leaver.id);
    expect(await say(rejoined, 'after the erasure')).toBe(newest + 1);
  });

  it('clears the user\'s inbox, presence and presence snapshot, closing their sockets', async () => {
    const user = await registerAndLogin();
    const inbox = env.INBOX.get(env.INBOX.idFromName(user.id));
    const presence = env.PRESENCE.get(env.PRESENCE.idFromName(user.id));
    await inbox.deliver({ id: crypto.randomUUID(), kind: 'event.reminder', title: 'Soon', body: 'Your event starts in an hour', data: {}, createdAt: new Date().toISOString() });
    const inboxSocket = frameSocket(await inbox.fetch('https://inbox.internal/socket', { headers: { upgrade: 'websocket', 'x-flow-user-id': user.id } }));
    const presenceSocket = frameSocket(await presence.fetch('https://presence.internal/socket?device=phone', { headers: { upgrade: 'websocket', 'x-flow-user-id': user.id } }));
    await presenceSocket.next('presence', (frame) => frame.state === 'online');
    await eventually(() => stores.redis.run((redis) => redis.get(presenceSnapshotKey(user.id))), (snapshot) => snapshot !== null);

    expect((await deleteAccount(user)).status).toBe(204);

    expect((await inboxSocket.closed).code).toBe(closeCodes.unauthorized);
    expect((await presenceSocket.closed).code).toBe(closeCodes.unauthorized);
    expect(await inbox.recent()).toEqual([]);
    expect(await inbox.unreadCount()).toBe(0);
    expect(await presence.status()).toEqual({ userId: '', state: 'offline', lastSeenAt: null, devices: [] });
    expect(await stores.redis.run((redis) => redis.get(presenceSnapshotKey(user.id)))).toBeNull();
  });

  it('removes the rooms of the events deleted with their organizer, and keeps those of events that stay', async () => {
    const [organizer, fan] = await Promise.all([registerAndLogin(), quickUser()]);
    const [alone, attended] = [await createEvent(organizer), await createEvent(organizer)];
    await awaitMembership(alone.id, organizer.id, 'owner');
    expect((await attend(attended.id, fan)).status).toBe(201);
    await awaitMembership(attended.id, fan.id);
    // Past now, so they no longer block the deletion. The one the fan holds a ticket for stays.
    await stores.postgres.query(
      "update events set starts_at = now() - interval '3 days', ends_at = now() - interval '2 days' where id = any($1::uuid[])",
      [[alone.id, attended.id]],
    );

    expect((await deleteAccount(organizer)).status).toBe(204);

    const rooms = await stores.postgres.query<{ id: string }>('select id from chat_rooms where id = any($1::uuid[])', [[alone.id, attended.id]]);
    expect(rooms).toEqual([{ id: attended.id }]);
    expect(await stores.postgres.query('select account_id from chat_room_members where room_id = $1', [attended.id])).toEqual([{ account_id: fan.id }]);
  });
});

describe('account export reaches the realtime objects', () => {
  it('has every message the user sent, archived or still only in the room, each once', async () => {
    const user = await registerAndLogin();
    const event = await eventAttendedBy(user);
    const socket = await joinRoom(event.id, user);
    const archivedSeq = await say(socket, 'archived by now');
    // The room's write-behind runs now instead of in a few seconds.
    expect(await runDurableObjectAlarm(roomStub(event.id))).toBe(true);
    await eventually(() => stores.mongo.collection('chat_messages').countDocuments({ senderId: user.id }), (count) => count === 1);
    const pendingSeq = await say(socket, 'not archived yet');

    const response = await call('/api/v1/users/me/export', { headers: bearer(user.tokens.accessToken) });
    expect(response.status).toBe(200);
    const { related } = (await response.json()) as { related: { chat_messages: Array<{ roomId: string; seq: number; senderId: string; body: string }> } };
    const exported = related.chat_messages.map(({ roomId, seq, senderId, body }) => ({ roomId, seq, senderId, body })).sort((a, b) => a.seq - b.seq);
    expect(exported).toEqual([
      { roomId: event.id, seq: archivedSeq, senderId: user.id, body: 'archived by now' },
      { roomId: event.id, seq: pendingSeq, senderId: user.id, body: 'not archived yet' },
    ]);
  });
});
