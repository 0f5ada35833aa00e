import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { hashToken, randomToken } from '../../../shared/auth/random.ts';
import { revokedSessionKey } from '../../../shared/auth/revocation.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { storeTicket, takeTicket } from '../repo/tickets.ts';

/** The identity a WebSocket connection runs as, once authenticated. */
export interface SocketIdentity {
  userId: string;
  username: string;
}

export interface IssuedTicket {
  ticket: string;
  expiresIn: number;
}

export const invalidTicket = () =>
  new AppError('unauthorized', 'The ticket is invalid, expired or already used; get a new one.', { headers: { 'WWW-Authenticate': 'Bearer realm="flow"' } });

/**
 * A single-use ticket for opening a WebSocket (browsers cannot send an Authorization header on
 * one). 32 random bytes; only their SHA-256 is stored, bound to the caller and their session.
 */
export async function issueTicket(stores: Stores, auth: AuthContext, ttlSeconds: number): Promise<IssuedTicket> {
  const ticket = randomToken(32);
  await storeTicket(stores.redis, await hashToken(ticket), { userId: auth.userId, username: auth.username, sessionId: auth.sessionId }, ttlSeconds);
  return { ticket, expiresIn: ttlSeconds };
}

/**
 * Redeems a ticket: it is gone after this call whatever the outcome. A ticket whose session
 * ended in the meantime (logout) is refused like an unknown one.
 */
export async function redeemTicket(stores: Stores, ticket: string): Promise<SocketIdentity> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) throw invalidTicket();
  const holder = await takeTicket(stores.redis, await hashToken(ticket));
  if (!holder) throw invalidTicket();
  const sessionEnded = await stores.redis.run((client) => client.exists(revokedSessionKey(holder.sessionId)));
  if (sessionEnded) throw invalidTicket();
  return { userId: holder.userId, username: holder.username };
}
