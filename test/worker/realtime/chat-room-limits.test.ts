import { describe, expect, it } from 'vitest';
import { RoomClient, roomStub, storedMessages, upgradeRoom } from './chat-room-client.ts';

const newRoom = () => crypto.randomUUID();
const newUser = () => crypto.randomUUID();
// Matches the test configuration's defaults (WS_MESSAGES_PER_10S, WS_MAX_FRAME_BYTES).
const BUDGET = 20;
const MAX_FRAME = 16_384;

describe('ChatRoom: upgrades', () => {
  it('accepts with the flow.v1 subprotocol when offered', async () => {
    const response = await upgradeRoom(newRoom(), newUser(), { protocols: 'flow.v1, bearer.token' });
    expect(response.status).toBe(101);
    expect(response.headers.get('Sec-WebSocket-Protocol')).toBe('flow.v1');
    response.webSocket!.accept();
    response.webSocket!.close(1000);
  });

  it('refuses anything but an upgrade, and upgrades without the trusted identity', async () => {
    const roomId = newRoom();
    expect((await roomStub(roomId).fetch('https://chat-room.internal/socket')).status).toBe(426);
    const anonymous = await roomStub(roomId).fetch('https://chat-room.internal/socket', { headers: { Upgrade: 'websocket', 'x-flow-room-id': roomId } });
    expect(anonymous.status).toBe(400);
    expect((await upgradeRoom(roomId, newUser(), { since: -1 })).status).toBe(400);
  });

  it('refuses an upgrade naming another room than the one this object holds', async () => {
    const roomId = newRoom();
    await RoomClient.open(roomId, newUser(), { join: true });
    const url = 'https://chat-room.internal/socket';
    const response = await roomStub(roomId).fetch(url, { headers: { Upgrade: 'websocket', 'x-flow-user-id': newUser(), 'x-flow-room-id': newRoom() } });
    expect(response.status).toBe(400);
  });

  it('answers the protocol ping with pong, by auto-response and by the room itself', async () => {
    const client = await RoomClient.open(newRoom(), newUser());
    client.send({ type: 'ping' });
    expect(await client.waitFor('pong')).toEqual([{ type: 'pong' }]);
    await client.roundTrip();
    expect(client.of('pong')).toHaveLength(2);
  });
});

describe('ChatRoom: membership', () => {
  it('removeMember closes that member\'s sockets with 4403 and keeps their messages', async () => {
    const roomId = newRoom();
    const aliceId = newUser();
    const [phone, laptop, bob] = [
      await RoomClient.open(roomId, aliceId, { join: true }),
      await RoomClient.open(roomId, aliceId, { join: true }),
      await RoomClient.open(roomId, newUser(), { join: true }),
    ];
    phone.send({ type: 'message:send', clientMessageId: 'kept', text: 'still here' });
    await bob.waitFor('message:received');
    await roomStub(roomId).removeMember(aliceId);
    expect((await phone.waitClose()).code).toBe(4403);
    expect((await laptop.waitClose()).code).toBe(4403);
    expect(bob.closed).toBeNull();
    expect(await storedMessages(roomId)).toMatchObject([{ client_message_id: 'kept' }]);
    // Coming back without being added again is refused; after addMember the member is welcome.
    const refused = await RoomClient.open(roomId, aliceId);
    expect((await refused.waitClose()).code).toBe(4403);
    await roomStub(roomId).addMember(aliceId);
    const back = await RoomClient.open(roomId, aliceId, { since: 0 });
    expect((await back.waitFor('message:received')).map((message) => message.text)).toEqual(['still here']);
  });

  it('refuses room frames before room:join and stores nothing', async () => {
    const roomId = newRoom();
    const client = await RoomClient.open(roomId, newUser());
    client.send({ type: 'message:send', clientMessageId: 'early', text: 'too early' });
    client.send({ type: 'typing:start' });
    expect((await client.waitFor('error', 2)).map((frame) => frame.code)).toEqual(['not_joined', 'not_joined']);
    expect(await storedMessages(roomId)).toEqual([]);
  });

  it('stops broadcasting to a socket after room:leave', async () => {
    const roomId = newRoom();
    const [alice, bob] = [await RoomClient.open(roomId, newUser(), { join: true }), await RoomClient.open(roomId, newUser(), { join: true })];
    bob.send({ type: 'room:leave' });
    await bob.roundTrip();
    alice.send({ type: 'message:send', clientMessageId: 'after-leave', text: 'gone' });
    await alice.waitFor('message:received');
    await bob.roundTrip();
    expect(bob.of('message:received')).toEqual([]);
  });
});

describe('ChatRoom: limits and hostile frames', () => {
  it('answers frames beyond the budget with rate_limited and stores only accepted messages', async () => {
    const roomId = newRoom();
    const client = await RoomClient.open(roomId, newUser(), { join: true });
    const sent = BUDGET + 10;
    for (let index = 0; index < sent; index += 1) client.send({ type: 'message:send', clientMessageId: `r${index}`, text: `r${index}` });
    await client.until(() => client.of('message:ack').length + client.of('error').length >= sent, 'an answer to every frame');
    const limited = client.of('error').filter((frame) => frame.code === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.retryAfterMs).toBeGreaterThan(0);
    expect(client.of('message:ack').length + limited.length).toBe(sent);
    expect(await storedMessages(roomId)).toHaveLength(client.of('message:ack').length);
  });

  it('closes a socket that keeps sending far beyond its budget with 4429', async () => {
    const client = await RoomClient.open(newRoom(), newUser(), { join: true });
    for (let index = 0; index < BUDGET * 5; index += 1) client.send({ type: 'typing:start' });
    expect((await client.waitClose()).code).toBe(4429);
  });

  it('answers an oversize frame with frame_too_big, closes with 1009 when it repeats, and stores nothing', async () => {
    const roomId = newRoom();
    const client = await RoomClient.open(roomId, newUser(), { join: true });
    const huge = JSON.stringify({ type: 'message:send', clientMessageId: 'big', text: 'x'.repeat(MAX_FRAME) });
    client.sendRaw(huge);
    expect((await client.waitFor('error'))[0]).toMatchObject({ code: 'frame_too_big' });
    expect(client.closed).toBeNull();
    client.sendRaw(huge);
    expect((await client.waitClose()).code).toBe(1009);
    expect(await storedMessages(roomId)).toEqual([]);
  });

  it('answers invalid frames with invalid_frame and stays open', async () => {
    const roomId = newRoom();
    const client = await RoomClient.open(roomId, newUser(), { join: true });
    const hostile = [
      'not json',
      '{"type":"message:send","clientMessageId":"a","text":""}',
      '{"type":"message:send","clientMessageId":"a","text":"hi","senderId":"someone-else"}',
      '{"type":"message:send","clientMessageId":"a","text":"hi","__proto__":{"admin":true}}',
      '{"type":"message:read","seq":-1}',
      '{"type":"history:get","limit":1000}',
      '{"type":"nope"}',
      '[]',
    ];
    for (const frame of hostile) client.sendRaw(frame);
    client.sendRaw(new TextEncoder().encode('{"type":"ping"}').buffer as ArrayBuffer);
    const errors = await client.waitFor('error', hostile.length + 1);
    expect(errors.every((frame) => frame.code === 'invalid_frame')).toBe(true);
    expect(client.closed).toBeNull();
    expect(await storedMessages(roomId)).toEqual([]);
  });
});
