import type { AuthContext } from '../../../shared/auth/middleware.ts';
import type { KeyRing } from '../../../shared/auth/keys.ts';
import { signToken, verifyToken } from '../../../shared/auth/tokens.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres } from '../../../shared/stores/index.ts';
import { registrationsRepo } from '../repo/registrations.ts';
import { ticketedEventsRepo } from '../repo/ticketed-events.ts';
import { visibleEvent } from './ticketing-access.ts';

/** A ticket stays valid this long after the event ends (late check-ins, clocks at the door). */
const TICKET_GRACE_SECONDS = 6 * 3600;

/** Claims of a ticket beyond the standard ones: sub is the registration id, evt the event id. */
export interface TicketClaims {
  sub: string;
  evt: string;
}

/**
 * The caller's ticket for their active registration: a JWS signed with the platform key ring
 * (EdDSA, kid), token_use 'ticket', expiring after the event ends. Each call issues a new token
 * with its own jti; the registration can still be checked in only once.
 */
export async function issueTicket(postgres: Postgres, ring: KeyRing, auth: AuthContext, eventId: string) {
  const event = await visibleEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth);
  const registration = await registrationsRepo.findActive(postgres, eventId, auth.userId);
  if (!registration) throw new AppError('not_found', 'You have no active registration for this event.');
  if (event.status === 'cancelled') throw new AppError('conflict', 'This event was cancelled.');
  const expiresAt = Math.floor(event.ends_at.getTime() / 1000) + TICKET_GRACE_SECONDS;
  const ttl = expiresAt - Math.floor(Date.now() / 1000);
  if (ttl <= 0) throw new AppError('conflict', 'This event is over.');
  const token = await signToken(ring, 'ticket', { sub: registration.id, evt: eventId }, ttl);
  return { token, registrationId: registration.id, eventId, quantity: registration.quantity, expiresAt: new Date(expiresAt * 1000).toISOString() };
}

/**
 * Verifies a scanned ticket (signature, issuer, audience, expiry, token_use 'ticket') and that it
 * is for this event. A bad ticket is the scanner's input problem (422), not the desk's login.
 */
export async function readTicket(ring: KeyRing, token: string, eventId: string): Promise<TicketClaims & { jti: string }> {
  let claims: TicketClaims & { jti: string };
  try {
    claims = await verifyToken<TicketClaims>(ring, token, 'ticket');
  } catch (error) {
    throw new AppError('unprocessable', 'This ticket is invalid or expired.', { cause: error });
  }
  if (typeof claims.evt !== 'string' || claims.evt !== eventId) throw new AppError('unprocessable', 'This ticket is for another event.');
  return claims;
}
