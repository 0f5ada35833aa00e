import { z } from 'zod';
import { FLOW_SUBPROTOCOL } from '../../shared/realtime/protocol.ts';

export type TrustedUpgrade =
  | { ok: true; userId: string; username: string; roomId: string; since: number | undefined; subprotocol: boolean }
  | { ok: false; status: number; message: string };

const trustedId = z.string().min(1).max(64);
const sinceParam = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();

/**
 * Reads an upgrade forwarded by the Worker: the x-flow-* headers are set by the Worker after
 * authentication and membership checks (client copies are stripped there), so they are trusted.
 */
export function readTrustedUpgrade(request: Request): TrustedUpgrade {
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
    return { ok: false, status: 426, message: 'Expected a WebSocket upgrade' };
  }
  const userId = trustedId.safeParse(request.headers.get('x-flow-user-id'));
  const roomId = trustedId.safeParse(request.headers.get('x-flow-room-id'));
  if (!userId.success || !roomId.success) return { ok: false, status: 400, message: 'Missing trusted identity' };
  const username = request.headers.get('x-flow-username')?.slice(0, 64) ?? '';
  const since = sinceParam.safeParse(new URL(request.url).searchParams.get('since') ?? undefined);
  if (!since.success) return { ok: false, status: 400, message: 'since must be a sequence number' };
  const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((value) => value.trim());
  return { ok: true, userId: userId.data, username, roomId: roomId.data, since: since.data, subprotocol: offered.includes(FLOW_SUBPROTOCOL) };
}
