import type { BusHandler } from '../../shared/bus/handlers.ts';
import { openEventRoom, syncEventAttendee } from './service/membership.ts';

/** event.created: the event's room opens with it, the organizer (read from the event) as owner. */
export const openRoomOfCreatedEvent: BusHandler = async (message, { env, stores, log }) => {
  if (message.type !== 'event.created') return;
  const outcome = await openEventRoom(stores, env, message.payload.eventId);
  if (outcome === 'no_event') log.warn('event.created for an unknown event; no room opened', { eventId: message.payload.eventId });
};

/**
 * attendee.registered / attendee.cancelled: the attendee joins or leaves the event's room
 * (leaving closes their sockets there). Either message re-reads the registration, so the order
 * they arrive in does not matter. event.cancelled needs nothing: the room and its history stay.
 */
export const syncRoomOfAttendee: BusHandler = async (message, { env, stores, log }) => {
  if (message.type !== 'attendee.registered' && message.type !== 'attendee.cancelled') return;
  const outcome = await syncEventAttendee(stores, env, message.payload.eventId, message.payload.userId);
  if (outcome === 'no_event') log.warn('attendee message for an unknown event; room membership unchanged', { eventId: message.payload.eventId });
};
