import type { Stores } from '../../../shared/stores/index.ts';
import { eventAttendance, eventOrganizer } from '../repo/event-attendance.ts';
import { deleteMember, ensureEventRoom, insertMember, lockMembership } from '../repo/rooms.ts';
import { chatRoomStub } from './room-objects.ts';

/**
 * Opens an event's room (id = the event id) with its organizer, as the events table names them,
 * as owner (an event that outlived its organizer's account gets a room without one). Safe to
 * repeat: the room and the membership are upserts and the room object's addMember is idempotent.
 * A message about an event that does not exist opens nothing.
 */
export async function openEventRoom(stores: Stores, env: Env, eventId: string): Promise<'opened' | 'no_event'> {
  return stores.postgres.transaction(async (tx) => {
    const event = await eventOrganizer(tx, eventId);
    if (!event) return 'no_event';
    const { organizerId } = event;
    if (organizerId !== null) await lockMembership(tx, eventId, organizerId);
    await ensureEventRoom(tx, eventId, organizerId);
    // Inside the transaction: if the room object cannot be told, nothing is committed and the
    // bus retries the whole step.
    if (organizerId !== null) await chatRoomStub(env, eventId).addMember(organizerId);
    return 'opened';
  });
}

export type AttendeeSync = 'member' | 'removed' | 'no_event';

/**
 * Makes the event room's membership of one account match the ticketing tables: a member while
 * they hold a live registration (or organize the event), not otherwise. Reading the current
 * state instead of trusting the message makes redelivered or reordered messages (registered,
 * cancelled, registered again) converge on the truth; the per-member lock keeps two such
 * messages from interleaving, and the room object is told under that lock, in the same order.
 */
export async function syncEventAttendee(stores: Stores, env: Env, eventId: string, accountId: string): Promise<AttendeeSync> {
  return stores.postgres.transaction(async (tx) => {
    await lockMembership(tx, eventId, accountId);
    const attendance = await eventAttendance(tx, eventId, accountId);
    if (!attendance) return 'no_event';
    // The room may not exist yet: attendee messages can overtake the event's own.
    await ensureEventRoom(tx, eventId, attendance.organizer_id);
    const room = chatRoomStub(env, eventId);
    if (attendance.attending || attendance.organizer_id === accountId) {
      await insertMember(tx, eventId, accountId);
      await room.addMember(accountId);
      return 'member';
    }
    await deleteMember(tx, eventId, accountId);
    // Closes the person's open sockets in the room (4403).
    await room.removeMember(accountId);
    return 'removed';
  });
}
