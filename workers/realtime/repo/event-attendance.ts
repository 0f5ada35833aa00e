import type { PostgresTransaction } from '../../../shared/stores/index.ts';

/** An event's organizer and whether one account holds a live seat (confirmed or checked in). */
export interface EventAttendanceRow {
  organizer_id: string | null;
  attending: boolean;
}

/** Null when the event does not exist; read from the ticketing tables, the source of truth. */
export async function eventAttendance(tx: PostgresTransaction, eventId: string, accountId: string): Promise<EventAttendanceRow | null> {
  const [row] = await tx.query<EventAttendanceRow>(
    `select e.organizer_id,
            exists (select 1 from registrations r
                     where r.event_id = e.id and r.account_id = $2 and r.status in ('confirmed', 'checked_in')) as attending
       from events e
      where e.id = $1`,
    [eventId, accountId],
  );
  return row ?? null;
}

/**
 * The organizer of an event (null for an event whose organizer deleted their account); null
 * instead of the row when there is no such event.
 */
export async function eventOrganizer(tx: PostgresTransaction, eventId: string): Promise<{ organizerId: string | null } | null> {
  const [row] = await tx.query<{ organizer_id: string | null }>(`select organizer_id from events where id = $1`, [eventId]);
  return row ? { organizerId: row.organizer_id } : null;
}
