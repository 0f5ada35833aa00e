import { expect } from 'vitest';
import { parseServerFrames, type ServerFrame } from '../../shared/realtime/protocol.ts';
import { Waiter } from './waiter.ts';

/** A client socket that records every server frame (schema-checked) and its close. */
export interface FrameSocket {
  ws: WebSocket;
  frames: ServerFrame[];
  /** The next frame (after those already taken) matching `accept`; fails the test if none comes. */
  next<T extends ServerFrame['type']>(type: T, accept?: (frame: Extract<ServerFrame, { type: T }>) => boolean): Promise<Extract<ServerFrame, { type: T }>>;
  send(frame: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
}

/** Accepts the client end of a 101 response and starts recording. */
export function frameSocket(response: Response): FrameSocket {
  expect(response.status).toBe(101);
  const ws = response.webSocket;
  if (!ws) throw new Error('no webSocket on the 101 response');
  const frames: ServerFrame[] = [];
  const waiter = new Waiter();
  let taken = 0;
  ws.addEventListener('message', (event) => {
    frames.push(...parseServerFrames(String(event.data)));
    waiter.notify();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener('close', (event) => {
      resolve({ code: event.code, reason: event.reason });
      waiter.notify();
    });
  });
  ws.accept();
  const next: FrameSocket['next'] = async (type, accept = () => true) => {
    const find = () => frames.findIndex((frame, at) => at >= taken && frame.type === type && accept(frame as never));
    await waiter.until(() => find() >= 0, () => `no ${type} frame; got ${JSON.stringify(frames.slice(taken))}`);
    const index = find();
    taken = index + 1;
    return frames[index] as never;
  };
  return { ws, frames, next, closed, send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)) };
}

/** Sends a ping the object itself must answer (not the exact auto-answered text) and waits for its pong. */
export async function roundTrip(socket: FrameSocket): Promise<void> {
  socket.send('{ "type": "ping" }');
  await socket.next('pong');
}
