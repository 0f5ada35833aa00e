import type { PostgresTransaction } from '../../../shared/stores/index.ts';
import type { RecurrenceRule } from '../recurrence/expand.ts';

/** What a change to one occurrence needs to know about its event. */
export interface SeriesRow {
  organizer_id: string | null;
  status: 'draft' | 'published' | 'cancelled' | 'completed';
  visibility: 'public' | 'unlisted' | 'private';
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  recurrence: RecurrenceRule | null;
}

/** Writes single-occurrence exceptions (event_occurrence_exceptions); reads live in occurrence-exceptions.ts. */
export const occurrencesRepo = {
  /**
   * The event, share-locked until the transaction ends: the rule an occurrence is checked
   * against cannot change before the exception is written.
   */
  async lockSeries(tx: PostgresTransaction, eventId: string): Promise<SeriesRow | null> {
    const [row] = await tx.query<SeriesRow>(
      `select organizer_id, status, visibility, starts_at, ends_at, timezone, recurrence from events where id = $1 for share`,
      [eventId],
    );
    return row ?? null;
  },

  /** Marks the occurrence cancelled; false when it already was (nothing changed). */
  async cancel(tx: PostgresTransaction, eventId: string, originalStartsAt: Date, reason: string | null): Promise<boolean> {
    const rows = await tx.query(
      `insert into event_occurrence_exceptions (event_id, original_starts_at, kind, reason) values ($1, $2, 'cancelled', $3)
       on conflict (event_id, original_starts_at) do update
         set kind = 'cancelled', new_starts_at = null, new_ends_at = null, reason = excluded.reason
         where event_occurrence_exceptions.kind <> 'cancelled'
       returning id`,
      [eventId, originalStartsAt, reason],
    );
    return rows.length > 0;
  },

  /** Moves the occurrence (a cancelled one comes back at the new time); false when it was already there. */
  async move(tx: PostgresTransaction, eventId: string, originalStartsAt: Date, startsAt: Date, endsAt: Date, reason: string | null): Promise<boolean> {
    const rows = await tx.query(
      `insert into event_occurrence_exceptions (event_id, original_starts_at, kind, new_starts_at, new_ends_at, reason)
       values ($1, $2, 'moved', $3, $4, $5)
       on conflict (event_id, original_starts_at) do update
         set kind = 'moved', new_starts_at = excluded.new_starts_at, new_ends_at = excluded.new_ends_at, reason = excluded.reason
         where (event_occurrence_exceptions.kind, event_occurrence_exceptions.new_starts_at, event_occurrence_exceptions.new_ends_at)
               is distinct from ('moved', excluded.new_starts_at, excluded.new_ends_at)
       returning id`,
      [eventId, originalStartsAt, startsAt, endsAt, reason],
    );
    return rows.length > 0;
  },

  /** Puts the occurrence back as the rule gives it; false when it had no exception. */
  async restore(tx: PostgresTransaction, eventId: string, originalStartsAt: Date): Promise<boolean> {
    const rows = await tx.query(
      `delete from event_occurrence_exceptions where event_id = $1 and original_starts_at = $2 returning id`,
      [eventId, originalStartsAt],
    );
    return rows.length > 0;
  },
};
