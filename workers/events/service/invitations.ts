import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { enqueueBusMessages } from '../../../shared/bus/outbox.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, Stores } from '../../../shared/stores/index.ts';
import type { InvitationsQuery } from '../invitation-schemas.ts';
import { invitationsRepo, type InvitationRow, type MyInvitationRow } from '../repo/invitations.ts';
import { ticketedEventsRepo } from '../repo/ticketed-events.ts';
import { decodeCursor, managedEvent, pageOf, pgViolation, visibleEvent } from './ticketing-access.ts';

// Invitations are run by those who edit the event or manage its attendees.
const INVITATION_MANAGERS = ['edit_event', 'manage_attendees'] as const;

const unprocessable = (detail: string, userIds: string[]) =>
  new AppError('unprocessable', detail, { extensions: { userIds } });

/**
 * Invites accounts to an event (organizer, edit_event or manage_attendees). All or nothing:
 * unknown or deleted accounts, or the organizer themself, are a 422 naming them and nobody is
 * invited. Accounts already invited stay invited once; each new invitation is announced as
 * event.invitation in the same transaction. Only events still to come and published take
 * invitations (a draft would tell invitees about an event they cannot see).
 */
export async function invite(stores: Stores, auth: AuthContext, eventId: string, userIds: readonly string[], correlationId: string) {
  // Sorted: concurrent calls take the invitation rows' locks in the same order, so never deadlock.
  const ids = [...new Set(userIds.map((id) => id.toLowerCase()))].sort();
  return stores.postgres.transaction(async (tx) => {
    const event = await managedEvent(tx, await ticketedEventsRepo.find(tx, eventId), auth, INVITATION_MANAGERS);
    if (event.status !== 'published') throw new AppError('conflict', `A ${event.status} event takes no invitations.`);
    if (event.over) throw new AppError('conflict', 'This event is over.');
    if (event.organizer_id !== null && ids.includes(event.organizer_id)) throw unprocessable('The organizer cannot be invited to their own event.', [event.organizer_id]);
    const unknown = await invitationsRepo.unknownAccounts(tx, ids);
    if (unknown.length > 0) throw unprocessable('These accounts do not exist; nobody was invited.', unknown);
    let invited: string[];
    try {
      invited = await invitationsRepo.insertMissing(tx, eventId, ids, auth.userId);
    } catch (error) {
      // An account erased between the check and the insert.
      if (pgViolation(error)?.code === '23503') throw unprocessable('An account does not exist any more; nobody was invited.', []);
      throw error;
    }
    await enqueueBusMessages(tx, correlationId, 'event.invitation', invited.map((inviteeId) => ({ eventId, inviteeId, invitedBy: auth.userId, title: event.title })));
    const created = new Set(invited);
    return { invited, alreadyInvited: ids.filter((id) => !created.has(id)) };
  });
}

/**
 * Ends an invitation: revoked by those who manage invitations, or declined by the invitee. A
 * registration (or place in the waitlist) made meanwhile stays: cancelling it is the attendee's
 * or the organizer's separate decision, and with it the invitee still sees the event.
 */
export async function removeInvitation(postgres: Postgres, auth: AuthContext, eventId: string, inviteeId: string): Promise<void> {
  const event = await ticketedEventsRepo.find(postgres, eventId);
  const declining = auth.userId === inviteeId.toLowerCase();
  if (declining) await visibleEvent(postgres, event, auth);
  else await managedEvent(postgres, event, auth, INVITATION_MANAGERS);
  if (!(await invitationsRepo.remove(postgres, eventId, inviteeId))) {
    throw new AppError('not_found', declining ? 'You have no invitation to this event.' : 'This account has no invitation to this event.');
  }
}

const invitationView = (row: InvitationRow) => ({
  userId: row.invitee_id,
  username: row.username,
  displayName: row.display_name,
  invitedBy: row.invited_by,
  invitedAt: row.created_at.toISOString(),
  registered: row.registered,
});

/** The event's invitations, oldest first, for those who manage them. */
export async function listInvitations(postgres: Postgres, auth: AuthContext, eventId: string, query: InvitationsQuery) {
  await managedEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth, INVITATION_MANAGERS);
  const rows = await invitationsRepo.ofEvent(postgres, eventId, decodeCursor(query.cursor), query.limit + 1);
  return pageOf(rows, query.limit, invitationView, (row) => [row.created_at, row.invitee_id]);
}

const myInvitationView = (row: MyInvitationRow) => ({
  eventId: row.event_id,
  invitedBy: row.invited_by,
  invitedAt: row.created_at.toISOString(),
  registered: row.registered,
  event: { id: row.event_id, title: row.title, startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString(), timezone: row.timezone, status: row.event_status },
});

/** The caller's invitations to events not over yet, soonest first: how invitees find private events. */
export async function myInvitations(postgres: Postgres, auth: AuthContext, query: InvitationsQuery) {
  const rows = await invitationsRepo.ofInvitee(postgres, auth.userId, decodeCursor(query.cursor), query.limit + 1);
  return pageOf(rows, query.limit, myInvitationView, (row) => [row.starts_at, row.event_id]);
}
