import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { RoomClient, roomStub, storedMessages, upgradeRoom } from './chat-room-client.ts';

const newRoom = () => crypto.randomUUID();
const newUser = () => crypto.randomUUID();

async function joinedClients(roomId: string, count: number): Promise<RoomClient[]> {
  const clients: RoomClient[] = [];
  for (let index = 0; index < count; index += 1) clients.push(await RoomClient.open(roomId, newUser(), { join: true }));
  return clients;
}

describe('ChatRoom: the ordered log', () => {
  it('three clients see the same ordered log of messages sent concurrently', async () => {
    const roomId = newRoom();
    const clients = await joinedClients(roomId, 3);
    clients.forEach((client, who) => {
      for (let index = 0; index < 5; index += 1) client.send({ type: 'message:send', clientMessageId: `c${who}-${index}`, text: `hello ${who}/${index}` });
    });
    const logs = await Promise.all(clients.map((client) => client.waitFor('message:received', 15)));
    expect(logs[0]!.map((message) => message.seq)).toEqual(Array.from({ length: 15 }, (_, index) => index + 1));
    expect(logs[1]).toEqual(logs[0]);
    expect(logs[2]).toEqual(logs[0]);
    // Each sender's own messages keep the order in which it sent them.
    const fromFirst = logs[0]!.filter((message) => message.senderId === clients[0]!.userId).map((message) => message.clientMessageId);
    expect(fromFirst).toEqual(['c0-0', 'c0-1', 'c0-2', 'c0-3', 'c0-4']);
    expect(clients.flatMap((client) => client.offProtocol)).toEqual([]);
    expect((await storedMessages(roomId)).map((row) => row.seq)).toEqual(logs[0]!.map((message) => message.seq));
    // Frames made together leave together: each sender got its ack and its own message in one WebSocket message.
    for (const client of clients) expect(client.messages).toBeLessThan(client.frames.length);
  });

  it('acks with the seq and stores a resent client message id once, without a second broadcast', async () => {
    const roomId = newRoom();
    const [sender, reader] = await joinedClients(roomId, 2);
    sender!.send({ type: 'message:send', clientMessageId: 'same-id', text: 'first' });
    sender!.send({ type: 'message:send', clientMessageId: 'same-id', text: 'second try' });
    const acks = await sender!.waitFor('message:ack', 2);
    expect(acks).toEqual([
      { type: 'message:ack', clientMessageId: 'same-id', seq: 1, duplicate: false },
      { type: 'message:ack', clientMessageId: 'same-id', seq: 1, duplicate: true },
    ]);
    await reader!.roundTrip();
    expect(reader!.of('message:received').map((message) => message.text)).toEqual(['first']);
    expect(await storedMessages(roomId)).toMatchObject([{ seq: 1, text: 'first' }]);
  });

  it('stores a client message id once when two devices of the sender race with it', async () => {
    const roomId = newRoom();
    const userId = newUser();
    const phone = await RoomClient.open(roomId, userId, { join: true });
    const laptop = await RoomClient.open(roomId, userId, { join: true });
    for (let index = 0; index < 10; index += 1) {
      phone.send({ type: 'message:send', clientMessageId: `shared-${index}`, text: `phone ${index}` });
      laptop.send({ type: 'message:send', clientMessageId: `shared-${index}`, text: `laptop ${index}` });
    }
    const acks = [...(await phone.waitFor('message:ack', 10)), ...(await laptop.waitFor('message:ack', 10))];
    expect(acks.filter((ack) => !ack.duplicate)).toHaveLength(10);
    expect(acks.filter((ack) => ack.duplicate)).toHaveLength(10);
    const stored = await storedMessages(roomId);
    expect(stored.map((row) => row.client_message_id).sort()).toEqual(Array.from({ length: 10 }, (_, index) => `shared-${index}`).sort());
    expect(stored.map((row) => row.seq)).toEqual(Array.from({ length: 10 }, (_, index) => index + 1));
    // Each id has one seq, whichever device's copy won.
    for (const ack of acks) expect(stored.find((row) => row.seq === ack.seq)?.client_message_id).toBe(ack.clientMessageId);
  });

  it('gives 50 messages sent in parallel from 5 sockets the seqs 1..50 without gap or duplicate', async () => {
    const roomId = newRoom();
    const clients = await joinedClients(roomId, 5);
    await Promise.all(clients.map(async (client, who) => {
      for (let index = 0; index < 10; index += 1) client.send({ type: 'message:send', clientMessageId: `m-${who}-${index}`, text: `${who}:${index}` });
    }));
    const acks = (await Promise.all(clients.map((client) => client.waitFor('message:ack', 10)))).flat();
    expect(acks.map((ack) => ack.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    expect(acks.every((ack) => !ack.duplicate)).toBe(true);
    expect((await storedMessages(roomId)).map((row) => row.seq)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
  });

  it('sends room:joined with the last seq and the members with their cursors', async () => {
    const roomId = newRoom();
    const [first] = await joinedClients(roomId, 1);
    first!.send({ type: 'message:send', clientMessageId: 'one', text: 'one' });
    await first!.waitFor('message:ack');
    const second = await RoomClient.open(roomId, newUser(), { join: true });
    const [joined] = second.of('room:joined');
    expect(joined).toMatchObject({ roomId, lastSeq: 1 });
    expect(joined!.members).toEqual(expect.arrayContaining([
      { userId: first!.userId, readSeq: 1, deliveredSeq: 1 },
      { userId: second.userId, readSeq: 0, deliveredSeq: 0 },
    ]));
    expect(await second.waitFor('unread')).toEqual([{ type: 'unread', count: 1 }]);
  });
});

describe('ChatRoom: receipts and typing', () => {
  it('fans out delivery and read receipts and keeps the reader unread count', async () => {
    const roomId = newRoom();
    const [alice, bob, carol] = await joinedClients(roomId, 3);
    for (let index = 0; index < 3; index += 1) alice!.send({ type: 'message:send', clientMessageId: `a${index}`, text: `a${index}` });
    await bob!.waitFor('message:received', 3);
    bob!.send({ type: 'message:delivered', seq: 3 });
    bob!.send({ type: 'message:read', seq: 2 });
    for (const other of [alice!, carol!]) {
      expect(await other.waitFor('receipt:delivered')).toEqual([{ type: 'receipt:delivered', userId: bob!.userId, seq: 3 }]);
      expect(await other.waitFor('receipt:read')).toEqual([{ type: 'receipt:read', userId: bob!.userId, seq: 2 }]);
    }
    const unread = await bob!.waitFor('unread', 2);
    expect(unread.at(-1)).toEqual({ type: 'unread', count: 1 });
    expect(await roomStub(roomId).unreadCount(bob!.userId)).toBe(1);
    expect(await roomStub(roomId).unreadCount(alice!.userId)).toBe(0);
  });

  it('ignores cursors moving back and refuses a seq beyond the log', async () => {
    const roomId = newRoom();
    const [alice, bob] = await joinedClients(roomId, 2);
    alice!.send({ type: 'message:send', clientMessageId: 'x', text: 'x' });
    await bob!.waitFor('message:received');
    bob!.send({ type: 'message:read', seq: 1 });
    bob!.send({ type: 'message:read', seq: 0 });
    bob!.send({ type: 'message:read', seq: 99 });
    expect((await bob!.waitFor('error'))[0]).toMatchObject({ code: 'seq_out_of_range' });
    await alice!.roundTrip();
    expect(alice!.of('receipt:read')).toEqual([{ type: 'receipt:read', userId: bob!.userId, seq: 1 }]);
  });

  it('tells others (not the typer) about typing, and a sent message ends it', async () => {
    const roomId = newRoom();
    const [alice, bob, carol] = await joinedClients(roomId, 3);
    alice!.send({ type: 'typing:start' });
    for (const other of [bob!, carol!]) {
      const [typing] = await other.waitFor('typing');
      expect(typing).toMatchObject({ userId: alice!.userId, active: true, expiresAt: expect.any(String) });
    }
    alice!.send({ type: 'message:send', clientMessageId: 'done', text: 'done typing' });
    const stopped = await bob!.waitFor('typing', 1, (frame) => !frame.active);
    expect(stopped).toEqual([{ type: 'typing', userId: alice!.userId, active: false }]);
    expect(alice!.of('typing')).toEqual([]);
  });

  it('expires typing by alarm when no refresh came', async () => {
    const roomId = newRoom();
    const [alice, bob] = await joinedClients(roomId, 2);
    alice!.send({ type: 'typing:start' });
    await bob!.waitFor('typing', 1, (frame) => frame.active);
    // Let the time-to-live pass without waiting for it.
    await runInDurableObject(roomStub(roomId), (_instance, state) => void state.storage.sql.exec('UPDATE typing SET expires_at = 0'));
    expect(await runDurableObjectAlarm(roomStub(roomId))).toBe(true);
    expect(await bob!.waitFor('typing', 1, (frame) => !frame.active)).toEqual([{ type: 'typing', userId: alice!.userId, active: false }]);
  });

  it('keeps typing that has not expired when the alarm runs early', async () => {
    const roomId = newRoom();
    const [alice, bob] = await joinedClients(roomId, 2);
    alice!.send({ type: 'typing:start' });
    await bob!.waitFor('typing', 1, (frame) => frame.active);
    await runDurableObjectAlarm(roomStub(roomId));
    const typers = await runInDurableObject(roomStub(roomId), (_instance, state) => state.storage.sql.exec('SELECT user_id FROM typing').toArray());
    expect(typers).toEqual([{ user_id: alice!.userId }]);
  });
});
