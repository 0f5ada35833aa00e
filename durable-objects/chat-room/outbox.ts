import { FRAME_SEPARATOR } from '../../shared/realtime/protocol.ts';
import { sendText } from '../user-sockets/frames.ts';

/** The longest coalesced WebSocket message; a longer queue goes out in several. */
const MAX_MESSAGE_CHARS = 128 * 1024;

/**
 * The room's outgoing frames, coalesced the way busy chat servers do it: every frame is queued for
 * its socket, and the queues go out at the end of the handler's synchronous run (a microtask), one
 * WebSocket message per socket with its frames separated by newlines. After a flush, frames wait
 * until `windowMs` has passed since it, so a busy room sends each socket about one message per
 * window however many frames it makes, while an idle room adds no delay at all. Per socket, frames
 * keep the order they were queued in.
 */
export class FrameOutbox {
  readonly #pending = new Map<WebSocket, string[]>();
  readonly #windowMs: () => number;
  #scheduled = false;
  #windowEndsAt = 0;

  constructor(windowMs: () => number) {
    this.#windowMs = windowMs;
  }

  push(ws: WebSocket, text: string): void {
    const queue = this.#pending.get(ws);
    if (queue) queue.push(text);
    else this.#pending.set(ws, [text]);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      const wait = this.#windowEndsAt - Date.now();
      if (wait > 0) setTimeout(() => this.flush(), wait);
      else this.flush();
    });
  }

  /** Sends every queue now and opens a new window. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.size === 0) return;
    this.#windowEndsAt = Date.now() + this.#windowMs();
    // Most sockets of a broadcast hold the very same frames: encode their message once.
    let previous: string[] = [];
    let previousMessages: string[] = [];
    for (const [ws, queue] of this.#pending) {
      if (!sameFrames(queue, previous)) {
        previous = queue;
        previousMessages = messagesOf(queue);
      }
      for (const message of previousMessages) sendText(ws, message);
    }
    this.#pending.clear();
  }

  /** Sends what waits for this socket now, e.g. right before the room closes it. */
  flushSocket(ws: WebSocket): void {
    const queue = this.#pending.get(ws);
    if (!queue) return;
    this.#pending.delete(ws);
    for (const message of messagesOf(queue)) sendText(ws, message);
  }

  /** Forgets what waits for a socket that is gone. */
  drop(ws: WebSocket): void {
    this.#pending.delete(ws);
  }
}

function sameFrames(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The queue as WebSocket messages: newline-joined frames, none longer than the cap unless one frame is. */
function messagesOf(queue: string[]): string[] {
  if (queue.length === 1) return queue;
  const messages: string[] = [];
  let start = 0;
  let chars = 0;
  for (let i = 0; i < queue.length; i++) {
    const length = queue[i]!.length + 1;
    if (i > start && chars + length > MAX_MESSAGE_CHARS) {
      messages.push(queue.slice(start, i).join(FRAME_SEPARATOR));
      start = i;
      chars = 0;
    }
    chars += length;
  }
  messages.push(queue.slice(start).join(FRAME_SEPARATOR));
  return messages;
}
