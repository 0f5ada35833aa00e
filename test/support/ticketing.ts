import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { loadKeyRing } from '../../shared/auth/keys.ts';
import { signToken } from '../../shared/auth/tokens.ts';
import type { TokenPair } from '../../workers/users/service/tokens.ts';
import { call, callJson } from './http.ts';
import { bearer, clientAddress, type TestUser } from './identity.ts';
import { testStores } from './stores.ts';

/**
 * A user made straight in the accounts table, with an access token signed by the platform key
 * ring: what login would hand out, without two password hashes per user. Crowds of attendees
 * (50 at once) would otherwise spend the test's time hashing. Such a user cannot log in.
 */
export async function quickUser(permissions: string[] = []): Promise<TestUser> {
  const suffix = crypto.randomUUID().slice(0, 12);
  const user = { email: `t-${suffix}@example.com`, username: `t_${suffix}` };
  const [row] = await testStores().postgres.query<{ id: string }>(
    `insert into accounts (email, username, password_hash, permissions) values ($1, $2, '$unusable$', $3) returning id`,
    [user.email, user.username, permissions],
  );
  const sessionId = crypto.randomUUID();
  const claims = { sub: row!.id, email: user.email, username: user.username, role: 'user', permissions, sessionId };
  const accessToken = await signToken(await loadKeyRing(env.JWT_PRIVATE_KEYS), 'access', claims, 900);
  const tokens = { tokenType: 'Bearer', accessToken, expiresIn: 900, refreshToken: '', refreshExpiresIn: 0, sessionId } as TokenPair;
  return { ...user, id: row!.id, password: '', ip: clientAddress(), tokens };
}

export const quickUsers = (count: number) => Promise.all(Array.from({ length: count }, () => quickUser()));

export const attend = (eventId: string, user: TestUser, body: unknown = {}) =>
  callJson(`/api/v1/events/${eventId}/attend`, 'POST', body, bearer(user.tokens.accessToken));

export const cancelAttendance = (eventId: string, user: TestUser) =>
  call(`/api/v1/events/${eventId}/attend`, { method: 'DELETE', headers: bearer(user.tokens.accessToken) });

export const createTier = (eventId: string, user: TestUser, body: unknown) =>
  callJson(`/api/v1/events/${eventId}/tiers`, 'POST', body, bearer(user.tokens.accessToken));

/** Creates a tier and returns its id. */
export async function tierOf(eventId: string, organizer: TestUser, body: Record<string, unknown>): Promise<string> {
  const response = await createTier(eventId, organizer, { name: `Tier ${crypto.randomUUID().slice(0, 6)}`, ...body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

export interface SeatCounters {
  seats_sold: number;
  seats_held: number;
  registration_count: number;
  checkin_count: number;
}

export async function seatsOf(eventId: string): Promise<SeatCounters> {
  const [row] = await testStores().postgres.query<SeatCounters>(
    'select seats_sold, seats_held, registration_count, checkin_count from events where id = $1', [eventId],
  );
  return row!;
}

export async function waitlistOf(eventId: string): Promise<{ id: string; account_id: string; status: string; party_size: number }[]> {
  return testStores().postgres.query(
    'select id, account_id, status, party_size from waitlist_entries where event_id = $1 order by created_at, id', [eventId],
  );
}

export async function outboxOf(eventId: string, type: string): Promise<Record<string, unknown>[]> {
  const rows = await testStores().postgres.query<{ payload: Record<string, unknown> }>(
    `select payload from outbox_events where type = $1 and payload->>'eventId' = $2 order by created_at, id`, [type, eventId],
  );
  return rows.map((row) => row.payload);
}
