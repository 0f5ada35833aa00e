import { describe, expect, it } from 'vitest';
import { FrameOutbox } from '../../../durable-objects/chat-room/outbox.ts';
import { FRAME_SEPARATOR } from '../../../shared/realtime/protocol.ts';
import { Waiter } from '../../support/waiter.ts';

/** A real socket pair: the outbox writes to `server`; `messages` records what the client end receives. */
function socketPair() {
  const { 0: client, 1: server } = new WebSocketPair();
  const messages: string[] = [];
  const waiter = new Waiter();
  client.accept();
  server.accept();
  client.addEventListener('message', (event) => {
    messages.push(String(event.data));
    waiter.notify();
  });
  const frames = () => messages.flatMap((message) => message.split(FRAME_SEPARATOR));
  const untilFrames = (count: number) => waiter.until(() => frames().length >= count, () => `got ${JSON.stringify(messages)}`);
  return { server, messages, frames, untilFrames };
}

const frame = (n: number) => JSON.stringify({ type: 'unread', count: n });

describe('FrameOutbox', () => {
  it('sends what one synchronous run queued as one message per socket, in order', async () => {
    const outbox = new FrameOutbox(() => 0);
    const a = socketPair();
    const b = socketPair();
    outbox.push(a.server, frame(1));
    outbox.push(b.server, frame(1));
    outbox.push(a.server, frame(2));
    outbox.push(a.server, frame(3));
    await a.untilFrames(3);
    await b.untilFrames(1);
    expect(a.messages).toEqual([[frame(1), frame(2), frame(3)].join('\n')]);
    expect(b.messages).toEqual([frame(1)]);
  });

  it('sends at once when idle, and holds what follows within the window until it ends', async () => {
    // A window far longer than the few milliseconds between the pushes, even on a loaded machine.
    const outbox = new FrameOutbox(() => 2_000);
    const socket = socketPair();
    outbox.push(socket.server, frame(1));
    await socket.untilFrames(1);
    expect(socket.messages).toEqual([frame(1)]);
    // Two more in separate turns, inside the window: they leave together when it closes.
    outbox.push(socket.server, frame(2));
    await new Promise((resolve) => setTimeout(resolve, 5));
    outbox.push(socket.server, frame(3));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(socket.messages).toHaveLength(1);
    await socket.untilFrames(3);
    expect(socket.messages).toEqual([frame(1), `${frame(2)}\n${frame(3)}`]);
  });

  it('splits a long queue into messages of at most 128 KiB, keeping every frame and its order', async () => {
    const outbox = new FrameOutbox(() => 0);
    const socket = socketPair();
    const big = (n: number) => JSON.stringify({ type: 'error', code: 'internal', message: `${n}:${'x'.repeat(10_000)}` });
    for (let n = 0; n < 40; n++) outbox.push(socket.server, big(n));
    await socket.untilFrames(40);
    expect(socket.messages.length).toBeGreaterThan(3);
    for (const message of socket.messages) expect(message.length).toBeLessThanOrEqual(128 * 1024);
    expect(socket.frames()).toEqual(Array.from({ length: 40 }, (_, n) => big(n)));
  });

  it('flushes one socket on demand and forgets a dropped one', async () => {
    const outbox = new FrameOutbox(() => 60_000);
    const kept = socketPair();
    const dropped = socketPair();
    outbox.push(kept.server, frame(1));
    await kept.untilFrames(1);
    // The window is now open for a minute: only an explicit flush sends before it ends.
    outbox.push(kept.server, frame(2));
    outbox.push(dropped.server, frame(2));
    outbox.drop(dropped.server);
    outbox.flushSocket(kept.server);
    await kept.untilFrames(2);
    outbox.flush();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(kept.messages).toEqual([frame(1), frame(2)]);
    expect(dropped.messages).toEqual([]);
  });
});
