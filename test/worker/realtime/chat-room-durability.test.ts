import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { testStores } from '../../support/stores.ts';
import { RoomClient, roomStub, storedMessages } from './chat-room-client.ts';

const newRoom = () => crypto.randomUUID();
const newUser = () => crypto.randomUUID();
const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

async function sendAndAck(client: RoomClient, count: number, prefix: string): Promise<number[]> {
  const before = client.of('message:ack').length;
  for (let index = 0; index < count; index += 1) client.send({ type: 'message:send', clientMessageId: `${prefix}-${index}`, text: `${prefix} ${index}` });
  return (await client.waitFor('message:ack', before + count)).slice(before).map((ack) => ack.seq);
}

function archivedCount(roomId: string): Promise<number> {
  return testStores().mongo.collection('chat_messages').countDocuments({ roomId });
}

describe('ChatRoom: resume and restarts', () => {
  it('a client that drops and resumes with since gets exactly the missed messages', async () => {
    const roomId = newRoom();
    const alice = await RoomClient.open(roomId, newUser(), { join: true });
    const bobId = newUser();
    const bob = await RoomClient.open(roomId, bobId, { join: true });
    await sendAndAck(alice, 3, 'before');
    const lastSeen = (await bob.waitFor('message:received', 3)).at(-1)!.seq;
    bob.close();
    await bob.waitClose();
    await sendAndAck(alice, 4, 'missed');
    const resumed = await RoomClient.open(roomId, bobId, { since: lastSeen });
    await sendAndAck(alice, 1, 'live');
    const received = await resumed.waitFor('message:received', 5);
    expect(received.map((message) => message.seq)).toEqual(seqs(4, 8));
    expect(received.map((message) => message.clientMessageId)).toEqual(['missed-0', 'missed-1', 'missed-2', 'missed-3', 'live-0']);
    expect(resumed.of('room:joined')[0]).toMatchObject({ lastSeq: 7 });
    // The backlog comes between room:joined and the live message, never before the join.
    expect(resumed.frames[0]!.type).toBe('room:joined');
  });

  it('an aborted room object keeps every acknowledged message and stays gap-free', async () => {
    const roomId = newRoom();
    const alice = await RoomClient.open(roomId, newUser(), { join: true });
    expect(await sendAndAck(alice, 10, 'kept')).toEqual(seqs(1, 10));
    await expect(runInDurableObject(roomStub(roomId), (_instance, state) => state.abort('restart under test'))).rejects.toThrow();
    await alice.waitClose();
    const again = await RoomClient.open(roomId, alice.userId, { since: 0 });
    const replayed = await again.waitFor('message:received', 10);
    expect(replayed.map((message) => message.clientMessageId)).toEqual(seqs(0, 9).map((index) => `kept-${index}`));
    // A resend after the restart is still recognised, and the next new message continues the log.
    again.send({ type: 'message:send', clientMessageId: 'kept-9', text: 'resent' });
    expect((await again.waitFor('message:ack'))[0]).toMatchObject({ seq: 10, duplicate: true });
    expect(await sendAndAck(again, 1, 'after')).toEqual([11]);
    expect((await storedMessages(roomId)).map((row) => row.seq)).toEqual(seqs(1, 11));
  });

  it('hibernated sockets keep working after the object is evicted', async () => {
    const roomId = newRoom();
    const [alice, bob] = [await RoomClient.open(roomId, newUser(), { join: true }), await RoomClient.open(roomId, newUser(), { join: true })];
    await sendAndAck(alice, 1, 'one');
    await evictDurableObject(roomStub(roomId));
    expect(await sendAndAck(alice, 1, 'two')).toEqual([2]);
    expect((await bob.waitFor('message:received', 2)).map((message) => message.seq)).toEqual([1, 2]);
  });
});

describe('ChatRoom: archive and history', () => {
  it('writes messages to MongoDB once even when a batch is written twice', async () => {
    const roomId = newRoom();
    const alice = await RoomClient.open(roomId, newUser(), { join: true });
    await sendAndAck(alice, 5, 'arch');
    expect(await runDurableObjectAlarm(roomStub(roomId))).toBe(true);
    expect(await archivedCount(roomId)).toBe(5);
    // A retry after a lost acknowledgement sends the same batch again.
    await runInDurableObject(roomStub(roomId), (_instance, state) => void state.storage.sql.exec('UPDATE messages SET archived = 0'));
    await runInDurableObject(roomStub(roomId), (_instance, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await runDurableObjectAlarm(roomStub(roomId))).toBe(true);
    expect(await archivedCount(roomId)).toBe(5);
    const documents = await testStores().mongo.collection<{ seq: number; body: string; senderId: string }>('chat_messages').find({ roomId }, { sort: { seq: 1 } });
    expect(documents.map((document) => [document.seq, document.body, document.senderId])).toEqual(seqs(1, 5).map((seq) => [seq, `arch ${seq - 1}`, alice.userId]));
    const pending = await runInDurableObject(roomStub(roomId), (_instance, state) => state.storage.sql.exec('SELECT COUNT(*) AS n FROM messages WHERE archived = 0').one());
    expect(pending).toEqual({ n: 0 });
  });

  it('pages history from SQLite and, below what is kept there, from the archive', async () => {
    const roomId = newRoom();
    const alice = await RoomClient.open(roomId, newUser(), { join: true });
    await sendAndAck(alice, 12, 'h');
    await runDurableObjectAlarm(roomStub(roomId));
    // Pretend the oldest eight were pruned after archiving.
    await runInDurableObject(roomStub(roomId), (_instance, state) => void state.storage.sql.exec('DELETE FROM messages WHERE seq <= 8'));
    const newest = await roomStub(roomId).history(alice.userId, { limit: 5 });
    expect(newest.messages.map((message) => message.seq)).toEqual(seqs(8, 12));
    expect(newest.hasMore).toBe(true);
    const older = await roomStub(roomId).history(alice.userId, { before: 8, limit: 10 });
    expect(older.messages.map((message) => message.seq)).toEqual(seqs(1, 7));
    expect(older.hasMore).toBe(false);
    expect(older.messages[0]).toMatchObject({ roomId, senderId: alice.userId, clientMessageId: 'h-0', text: 'h 0' });

    alice.send({ type: 'history:get', before: 4, limit: 2 });
    expect((await alice.waitFor('history'))[0]).toMatchObject({ hasMore: true, messages: [{ seq: 2 }, { seq: 3 }] });
    // A resume across the pruned range is served from the archive, in order, nothing twice.
    const resumed = await RoomClient.open(roomId, newUser(), { since: 2 });
    expect((await resumed.waitFor('message:received', 10)).map((message) => message.seq)).toEqual(seqs(3, 12));
  });

  it('shows a removed member no history, while the others still see it', async () => {
    const roomId = newRoom();
    const [alice, bob] = [await RoomClient.open(roomId, newUser(), { join: true }), await RoomClient.open(roomId, newUser(), { join: true })];
    await sendAndAck(alice, 1, 'x');
    await roomStub(roomId).removeMember(alice.userId);
    expect(await roomStub(roomId).history(alice.userId, { limit: 10 })).toEqual({ messages: [], hasMore: false });
    expect((await roomStub(roomId).history(bob.userId, { limit: 10 })).messages).toHaveLength(1);
  });
});
