import { FLOW_SUBPROTOCOL } from '../../shared/realtime/protocol.ts';

/** Headers set by the Worker after it authenticated the caller; nothing else from a request is trusted. */
export const TRUSTED_USER_HEADER = 'x-flow-user-id';
export const TRUSTED_USERNAME_HEADER = 'x-flow-username';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TrustedCaller = { ok: true; userId: string; username: string } | { ok: false; response: Response };

const refuse = (status: number, message: string): TrustedCaller => ({
  ok: false,
  response: new Response(message, { status, headers: status === 426 ? { upgrade: 'websocket' } : {} }),
});

/**
 * Checks what a per-user object must know before it accepts a socket: the request is a WebSocket
 * upgrade, it carries the trusted user header, and that user is the one this object belongs to
 * (`belongsTo` compares with the object's own id, so a forwarded request can never open user A's
 * channel for user B).
 */
export function trustedCaller(request: Request, belongsTo: (userId: string) => boolean): TrustedCaller {
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return refuse(426, 'Expected a WebSocket upgrade');
  const userId = request.headers.get(TRUSTED_USER_HEADER)?.toLowerCase() ?? '';
  if (!UUID.test(userId)) return refuse(400, `Missing or invalid ${TRUSTED_USER_HEADER}`);
  if (!belongsTo(userId)) return refuse(403, 'This channel belongs to another user');
  const username = (request.headers.get(TRUSTED_USERNAME_HEADER) ?? '').slice(0, 64);
  return { ok: true, userId, username };
}

/** The 101 answer handing the client end back, echoing the protocol's subprotocol when offered. */
export function upgradeResponse(request: Request, client: WebSocket): Response {
  const offered = (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((value) => value.trim());
  const headers: Record<string, string> = offered.includes(FLOW_SUBPROTOCOL) ? { 'sec-websocket-protocol': FLOW_SUBPROTOCOL } : {};
  return new Response(null, { status: 101, webSocket: client, headers });
}

/** A device label for tags and `status()`: the client's `?device=` if well formed, else one per socket. */
export function deviceLabel(request: Request): string {
  const requested = new URL(request.url).searchParams.get('device') ?? '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(requested) ? requested : `socket-${crypto.randomUUID()}`;
}
