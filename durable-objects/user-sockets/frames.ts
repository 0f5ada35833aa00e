import { encodeServerFrame, serverFrames, type ErrorCode, type ServerFrame } from '../../shared/realtime/protocol.ts';

/** Sends one frame; a socket that is already closing is skipped rather than failing its caller. */
export function sendFrame(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(encodeServerFrame(frame));
  } catch {
    // Closed between getWebSockets() and send(): its close handler does the bookkeeping.
  }
}

export function broadcastFrame(sockets: WebSocket[], frame: ServerFrame): void {
  const text = encodeServerFrame(frame);
  for (const ws of sockets) {
    try {
      ws.send(text);
    } catch {
      // As in sendFrame.
    }
  }
}

export function sendError(ws: WebSocket, code: ErrorCode, message: string, retryAfterMs?: number): void {
  sendFrame(ws, serverFrames.error({ code, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) }));
}
