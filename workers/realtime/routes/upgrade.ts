import type { Context } from 'hono';
import { authenticateAccessToken } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { AppEnv } from '../../../shared/http/app-env.ts';
import { allowedOrigin } from '../../../shared/http/response-headers.ts';
import { FLOW_SUBPROTOCOL } from '../../../shared/realtime/protocol.ts';
import { redeemTicket, type SocketIdentity } from '../service/tickets.ts';

const BEARER_PREFIX = 'bearer.';

/** Trusted headers the gateway sets for a Durable Object; a client's own are always dropped. */
export const TRUSTED_HEADER = { userId: 'x-flow-user-id', username: 'x-flow-username', roomId: 'x-flow-room-id' } as const;

// Never passed to an object: credentials (the object trusts only the headers above) and
// anything that looks like one of our trusted headers.
const DROPPED_HEADERS = /^(x-flow-|authorization$|cookie$|sec-websocket-protocol$)/i;

/** An authenticated upgrade request, ready to be handed to an object. */
export interface AcceptedUpgrade {
  identity: SocketIdentity;
  /** The client offered subprotocols, so the answer must name `flow.v1`. */
  wantsSubprotocol: boolean;
}

function offeredSubprotocols(c: Context<AppEnv>): string[] {
  return (c.req.header('sec-websocket-protocol') ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

/**
 * The checks every realtime socket passes before anything is accepted, in this order: it is a
 * WebSocket upgrade (else 426), its Origin, when sent, is allowed (else 403; native apps send
 * none), and the caller is authenticated by a single-use ticket or by `bearer.<access token>`
 * in the subprotocol list (else 401).
 */
export async function acceptUpgrade(c: Context<AppEnv>, ticket: string | undefined): Promise<AcceptedUpgrade> {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new AppError('upgrade_required', 'This endpoint only speaks WebSocket: send "Upgrade: websocket".', { headers: { Upgrade: 'websocket', Connection: 'Upgrade' } });
  }
  if (c.req.header('origin') !== undefined && allowedOrigin(c.req.raw, c.get('config')) === null) {
    throw new AppError('forbidden', 'This origin may not open realtime sockets.');
  }
  const protocols = offeredSubprotocols(c);
  if (protocols.length > 0 && !protocols.includes(FLOW_SUBPROTOCOL)) {
    throw new AppError('bad_request', `Offer the "${FLOW_SUBPROTOCOL}" subprotocol (or none).`);
  }
  const stores = c.get('stores');
  if (ticket !== undefined) return { identity: await redeemTicket(stores, ticket), wantsSubprotocol: protocols.length > 0 };
  const bearer = protocols.find((name) => name.startsWith(BEARER_PREFIX));
  if (!bearer) {
    throw new AppError('unauthorized', 'Send a ticket (?ticket=) or a bearer token in the subprotocol list ("flow.v1, bearer.<token>").', { headers: { 'WWW-Authenticate': 'Bearer realm="flow"' } });
  }
  const auth = await authenticateAccessToken(c, bearer.slice(BEARER_PREFIX.length));
  return { identity: { userId: auth.userId, username: auth.username }, wantsSubprotocol: true };
}

/**
 * Hands an accepted upgrade to a Durable Object: the client's headers minus credentials and
 * x-flow-*, then our trusted identity headers; the ticket is taken off the URL. When the
 * client offered subprotocols the 101 names `flow.v1` (browsers fail the socket otherwise).
 */
export async function forwardUpgrade(c: Context<AppEnv>, stub: DurableObjectStub, accepted: AcceptedUpgrade, roomId?: string): Promise<Response> {
  const url = new URL(c.req.url);
  url.searchParams.delete('ticket');
  const headers = new Headers();
  for (const [name, value] of c.req.raw.headers) {
    if (!DROPPED_HEADERS.test(name)) headers.set(name, value);
  }
  if (accepted.wantsSubprotocol) headers.set('sec-websocket-protocol', FLOW_SUBPROTOCOL);
  headers.set(TRUSTED_HEADER.userId, accepted.identity.userId);
  headers.set(TRUSTED_HEADER.username, accepted.identity.username);
  if (roomId) headers.set(TRUSTED_HEADER.roomId, roomId);
  const response = await stub.fetch(new Request(url, { method: 'GET', headers }));
  if (response.status !== 101 || !response.webSocket || !accepted.wantsSubprotocol || response.headers.has('sec-websocket-protocol')) return response;
  return new Response(null, { status: 101, webSocket: response.webSocket, headers: { 'sec-websocket-protocol': FLOW_SUBPROTOCOL } });
}
