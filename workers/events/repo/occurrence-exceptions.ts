import type { Postgres } from '../../../shared/stores/index.ts';
import type { OccurrenceException } from '../recurrence/expand.ts';

interface ExceptionRow {
  event_id: string;
  original_starts_at: Date;
  kind: 'cancelled' | 'moved';
  new_starts_at: Date | null;
  new_ends_at: Date | null;
}

/** Single-occurrence changes of recurring events (cancelled or moved occurrences). */
export const occurrenceExceptionsRepo = {
  /** The exceptions of each of the events, oldest occurrence first; events without any are absent. */
  async listFor(db: Pick<Postgres, 'query'>, eventIds: readonly string[]): Promise<Map<string, OccurrenceException[]>> {
    const byEvent = new Map<string, OccurrenceException[]>();
    if (eventIds.length === 0) return byEvent;
    const rows = await db.query<ExceptionRow>(
      `select event_id, original_starts_at, kind, new_starts_at, new_ends_at
         from event_occurrence_exceptions where event_id = any($1::uuid[]) order by event_id, original_starts_at`,
      [eventIds],
    );
    for (const row of rows) {
      const list = byEvent.get(row.event_id) ?? [];
      list.push({
        originalStartsAt: row.original_starts_at,
        kind: row.kind,
        ...(row.new_starts_at && row.new_ends_at ? { newStartsAt: row.new_starts_at, newEndsAt: row.new_ends_at } : {}),
      });
      byEvent.set(row.event_id, list);
    }
    return byEvent;
  },
};
