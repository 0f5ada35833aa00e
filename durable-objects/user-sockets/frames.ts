import { encodeServerFrame, serverFrames, type ErrorCode, type ServerFrame } from '../../shared/realtime/protocol.ts';

/** Sends encoded text; a socket that is already closing is skipped rather than failing its caller. */
export function sendText(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // Closed between listing the sockets and send(): its close handler does the bookkeeping.
  }
}

/** Sends one frame. */
export function sendFrame(ws: WebSocket, frame: ServerFrame): void {
  sendText(ws, encodeServerFrame(frame));
}

/** Sends one frame to every socket; the text is encoded once. */
export function broadcastFrame(sockets: Iterable<WebSocket>, frame: ServerFrame): void {
  const text = encodeServerFrame(frame);
  for (const ws of sockets) sendText(ws, text);
}

export function sendError(ws: WebSocket, code: ErrorCode, message: string, retryAfterMs?: number): void {
  sendFrame(ws, serverFrames.error({ code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }));
}

/** Closes every socket (its account was deleted, say); one already closing is skipped. */
export function closeEvery(sockets: Iterable<WebSocket>, code: number, reason: string): void {
  for (const ws of sockets) {
    try {
      ws.close(code, reason);
    } catch {
      // The runtime may already have completed the close handshake.
    }
  }
}
