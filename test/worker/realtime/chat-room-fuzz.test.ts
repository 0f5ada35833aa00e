import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientFrameSchema } from '../../../shared/realtime/protocol.ts';
import { RoomClient, storedMessages } from './chat-room-client.ts';

const MAX_FRAME = 16_384;
// Closes a hostile socket may get; anything else (or a crash) fails the property.
const DOCUMENTED_CLOSES = [1009, 4429];

const HUGE_SEND = JSON.stringify({ type: 'message:send', clientMessageId: 'huge', text: 'y'.repeat(MAX_FRAME) });
const text = fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' });
const validFrame = fc.oneof(
  fc.record({ type: fc.constant('message:send'), clientMessageId: fc.string({ minLength: 1, maxLength: 8 }), text }),
  fc.record({ type: fc.constantFrom('message:read', 'message:delivered'), seq: fc.nat({ max: 20 }) }),
  fc.record({ type: fc.constantFrom('typing:start', 'typing:stop', 'room:leave', 'ping') }),
  fc.record({ type: fc.constant('room:join'), since: fc.nat({ max: 20 }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('history:get'), limit: fc.integer({ min: 1, max: 100 }), before: fc.nat({ max: 30 }) }, { requiredKeys: ['type', 'limit'] }),
).map((frame) => JSON.stringify(frame));

const frameTypes = ['message:send', 'message:read', 'room:join', 'history:get', 'typing:start', 'presence:set', 'ping', 'constructor', '__proto__'];
const hostileFrame: fc.Arbitrary<string | ArrayBuffer> = fc.oneof(
  fc.string({ maxLength: 60, unit: 'binary' }),
  fc.json({ maxDepth: 3 }),
  // The right type with random (often wrong) fields, including prototype keys.
  fc.record({
    type: fc.constantFrom(...frameTypes),
    extra: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'seq', 'text', 'clientMessageId', 'since', 'limit', 'senderId'), fc.jsonValue({ maxDepth: 2 })),
  }).map(({ type, extra }) => `{"type":${JSON.stringify(type)}${Object.entries(extra).map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`).join('')}}`),
  fc.record({ type: fc.constant('message:send'), clientMessageId: fc.string({ maxLength: 80, unit: 'binary' }), text: fc.string({ maxLength: 20, unit: 'binary' }) }).map((frame) => JSON.stringify(frame)),
  fc.constant(HUGE_SEND),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => bytes.slice().buffer as ArrayBuffer),
);

interface Expected {
  stored: Set<string>;
}

/** What the room must have stored: sends from valid frames while joined, up to a documented close. */
function model(frames: (string | ArrayBuffer)[]): Expected {
  const stored = new Set<string>();
  let joined = true;
  let oversize = 0;
  for (const frame of frames) {
    if (typeof frame === 'string' && new TextEncoder().encode(frame).byteLength > MAX_FRAME) {
      oversize += 1;
      if (oversize >= 2) break;
      continue;
    }
    if (typeof frame !== 'string') continue;
    let json: unknown;
    try {
      json = JSON.parse(frame);
    } catch {
      continue;
    }
    const parsed = clientFrameSchema.safeParse(json);
    if (!parsed.success) continue;
    if (parsed.data.type === 'room:join') joined = true;
    if (parsed.data.type === 'room:leave') joined = false;
    if (parsed.data.type === 'message:send' && joined) stored.add(parsed.data.clientMessageId);
  }
  return { stored };
}

describe('ChatRoom: random frames', () => {
  it('never crashes, closes only with documented codes, and stores only valid messages', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(validFrame, hostileFrame), { maxLength: 14 }), async (frames) => {
        const roomId = crypto.randomUUID();
        const client = await RoomClient.open(roomId, crypto.randomUUID(), { join: true });
        for (const frame of frames) client.sendRaw(frame);
        await client.roundTrip();

        expect(client.offProtocol).toEqual([]);
        if (client.closed) expect(DOCUMENTED_CLOSES).toContain(client.closed.code);
        expect(client.of('error').every((frame) => frame.code !== 'internal')).toBe(true);

        const rows = await storedMessages(roomId);
        expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
        expect(rows.every((row) => row.sender_id === client.userId && row.text.length >= 1 && row.text.length <= 4000)).toBe(true);
        expect(new Set(rows.map((row) => row.client_message_id))).toEqual(model(frames).stored);
        client.close();
      }),
      {
        numRuns: 60,
        // Found by this property: a frame the client sent after the room closed its socket for
        // oversize frames must not be stored.
        examples: [[[HUGE_SEND, HUGE_SEND, JSON.stringify({ type: 'message:send', clientMessageId: ' ', text: ' ' })]]],
      },
    );
  });
});
