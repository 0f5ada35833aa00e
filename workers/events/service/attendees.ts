import type { AuthContext } from '../../../shared/auth/middleware.ts';
import type { Postgres } from '../../../shared/stores/index.ts';
import { registrationsRepo, type AttendeeRow, type MyRegistrationRow, type RegistrationRow } from '../repo/registrations.ts';
import { ticketedEventsRepo } from '../repo/ticketed-events.ts';
import { decodeCursor, managedEvent, pageOf } from './ticketing-access.ts';

export function registrationView(row: RegistrationRow) {
  return {
    id: row.id,
    eventId: row.event_id,
    userId: row.account_id,
    tierId: row.tier_id,
    quantity: row.quantity,
    status: row.status,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    createdAt: row.created_at.toISOString(),
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    checkedInAt: row.checked_in_at?.toISOString() ?? null,
  };
}

export type RegistrationView = ReturnType<typeof registrationView>;

export function attendeeView(row: AttendeeRow) {
  return {
    registrationId: row.id,
    userId: row.account_id,
    username: row.username,
    displayName: row.display_name,
    tierId: row.tier_id,
    quantity: row.quantity,
    status: row.status,
    registeredAt: row.created_at.toISOString(),
    checkedInAt: row.checked_in_at?.toISOString() ?? null,
  };
}

export type AttendeeView = ReturnType<typeof attendeeView>;

const myRegistrationView = (row: MyRegistrationRow) => ({
  ...registrationView(row),
  event: { id: row.event_id, title: row.title, startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString(), timezone: row.timezone, status: row.event_status },
});

export interface AttendeesQuery {
  status: 'confirmed' | 'checked_in' | 'cancelled' | 'active' | 'all';
  cursor?: string;
  limit: number;
}

/** An event's attendees for its organizer or staff with manage_attendees, in registration order. */
export async function listAttendees(postgres: Postgres, auth: AuthContext, eventId: string, query: AttendeesQuery) {
  await managedEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth, 'manage_attendees');
  const rows = await registrationsRepo.attendees(postgres, eventId, query.status, decodeCursor(query.cursor), query.limit + 1);
  return pageOf(rows, query.limit, attendeeView, (row) => [row.created_at, row.id]);
}

export interface MyRegistrationsQuery {
  when: 'upcoming' | 'past';
  status: 'active' | 'cancelled' | 'all';
  cursor?: string;
  limit: number;
}

/** The caller's registrations (their tickets): upcoming soonest first, or past latest first. */
export async function myRegistrations(postgres: Postgres, auth: AuthContext, query: MyRegistrationsQuery) {
  const rows = await registrationsRepo.ofAccount(postgres, auth.userId, query.when, query.status, decodeCursor(query.cursor), query.limit + 1);
  return pageOf(rows, query.limit, myRegistrationView, (row) => [row.starts_at, row.id]);
}
