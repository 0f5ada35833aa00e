import type { Postgres } from '../../../shared/stores/index.ts';

/** Where and when an event happens, as far as a forecast needs it. */
export interface EventPlaceRow {
  id: string;
  type: 'in_person' | 'virtual' | 'hybrid';
  timezone: string;
  starts_at: Date;
  ends_at: Date;
  recurrence: { until?: string } | null;
  latitude: number | null;
  longitude: number | null;
}

/** Reads the place and time of events the public may see: published or completed, not private. */
export const eventPlaceRepo = {
  async findPublic(db: Pick<Postgres, 'query'>, eventId: string): Promise<EventPlaceRow | null> {
    const [row] = await db.query<EventPlaceRow>(
      `select id, type, timezone, starts_at, ends_at, recurrence,
              st_y(location::geometry) as latitude, st_x(location::geometry) as longitude
         from events
        where id = $1 and status in ('published', 'completed') and visibility <> 'private'`,
      [eventId],
    );
    return row ?? null;
  },
};
