import type { Config } from '../../shared/config.ts';
import { closeCodes, parseClientFrame, serverFrames, type ClientFrame } from '../../shared/realtime/protocol.ts';
import { spendFrame, type FrameBudget } from './frame-budget.ts';
import { sendError, sendFrame } from './frames.ts';

/**
 * The first steps of every frame on a presence or inbox socket: spend the socket's budget, parse
 * the frame, answer a ping. Refusals are answered here (rate_limited; a bad frame; an oversize
 * one, which also closes the socket). Returns the budget to store and the frame left to handle.
 */
export function admitFrame(
  ws: WebSocket,
  message: string | ArrayBuffer,
  budget: FrameBudget,
  config: Pick<Config, 'WS_MESSAGES_PER_10S' | 'WS_MAX_FRAME_BYTES'>,
  now: number,
): { budget: FrameBudget; frame: ClientFrame | null } {
  const spent = spendFrame(budget, config.WS_MESSAGES_PER_10S, now);
  if (!spent.allowed) {
    sendError(ws, 'rate_limited', 'Too many frames; slow down', spent.retryAfterMs);
    return { budget: spent.budget, frame: null };
  }
  const parsed = parseClientFrame(message, config.WS_MAX_FRAME_BYTES);
  if (!parsed.ok) {
    sendError(ws, parsed.code, parsed.message);
    if (parsed.code === 'frame_too_big') ws.close(closeCodes.frameTooBig, 'Frame too big');
    return { budget: spent.budget, frame: null };
  }
  if (parsed.frame.type === 'ping') {
    sendFrame(ws, serverFrames.pong());
    return { budget: spent.budget, frame: null };
  }
  return { budget: spent.budget, frame: parsed.frame };
}
