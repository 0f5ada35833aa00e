import type { AuthContext } from '../../../shared/auth/middleware.ts';
import type { KeyRing } from '../../../shared/auth/keys.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import type { CheckInInput } from '../ticketing-schemas.ts';
import { checkInsRepo } from '../repo/check-ins.ts';
import { registrationsRepo } from '../repo/registrations.ts';
import { ticketedEventsRepo } from '../repo/ticketed-events.ts';
import { attendeeView, type AttendeeView } from './attendees.ts';
import { invalidateEventCache } from './events-cache.ts';
import { managedEvent, pgViolation } from './ticketing-access.ts';
import { readTicket } from './tickets.ts';

/**
 * Checks an attendee in at the door, by scanned ticket or (staff) by registration id. Only the
 * organizer or someone with manage_attendees may. A ticket works once and a registration checks
 * in once: the database's unique keys decide between two desks scanning at the same moment.
 */
export async function checkIn(stores: Stores, ring: KeyRing, auth: AuthContext, eventId: string, input: CheckInInput): Promise<AttendeeView> {
  const { postgres } = stores;
  const event = await managedEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth, 'manage_attendees');
  if (event.status !== 'published' && event.status !== 'completed') throw new AppError('conflict', 'Check-in is open for published events only.');
  const ticket = 'token' in input ? await readTicket(ring, input.token, eventId) : null;
  const registrationId = ticket?.sub ?? ('registrationId' in input ? input.registrationId : '');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(registrationId)) {
    throw new AppError('unprocessable', 'This ticket is invalid or expired.');
  }
  try {
    await checkInsRepo.insert(postgres, {
      registrationId, eventId, checkedInBy: auth.userId, method: ticket ? 'qr' : 'manual', tokenId: ticket?.jti ?? null,
    });
  } catch (error) {
    const violation = pgViolation(error);
    if (violation?.code === '23505') throw new AppError('conflict', 'Already checked in.');
    if (violation?.constraint === 'check_ins_registration_active') throw new AppError('conflict', 'This registration was cancelled.');
    if (violation?.code === '23503') throw new AppError('not_found', 'No such registration for this event.');
    throw error;
  }
  await invalidateEventCache(stores, eventId);
  const attendee = await registrationsRepo.attendee(postgres, eventId, registrationId);
  return attendeeView(attendee!);
}

/**
 * Undoes a check-in made by mistake (the wrong person scanned, a desk tapping twice): the
 * registration is confirmed again and its ticket works at the door once more. Same staff as
 * checking in; 404 when the registration is not checked in to this event.
 */
export async function undoCheckIn(stores: Stores, auth: AuthContext, eventId: string, registrationId: string): Promise<AttendeeView> {
  const { postgres } = stores;
  await managedEvent(postgres, await ticketedEventsRepo.find(postgres, eventId), auth, 'manage_attendees');
  if (!(await checkInsRepo.remove(postgres, eventId, registrationId))) throw new AppError('not_found', 'This registration is not checked in to this event.');
  await invalidateEventCache(stores, eventId);
  const attendee = await registrationsRepo.attendee(postgres, eventId, registrationId);
  return attendeeView(attendee!);
}
