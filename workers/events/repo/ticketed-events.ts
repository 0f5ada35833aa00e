import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** What ticketing and invitations need to know about an event: who runs it, its state and visibility, dates and seats. */
export interface TicketedEventRow {
  id: string;
  organizer_id: string | null;
  status: 'draft' | 'published' | 'cancelled' | 'completed';
  visibility: 'public' | 'unlisted' | 'private';
  title: string;
  starts_at: Date;
  ends_at: Date;
  /** The last occurrence has ended. */
  over: boolean;
  capacity: number | null;
  seats_sold: number;
  seats_held: number;
}

const COLUMNS = 'id, organizer_id, status, visibility, title, starts_at, ends_at, series_ends_at <= now() as over, capacity, seats_sold, seats_held';

/** Read access to events for the ticketing service (the events service owns writes). */
export const ticketedEventsRepo = {
  async find(db: Db, eventId: string): Promise<TicketedEventRow | null> {
    const [row] = await db.query<TicketedEventRow>(`select ${COLUMNS} from events where id = $1`, [eventId]);
    return row ?? null;
  },

  /**
   * Locks the event row for the rest of the transaction. Every seat change takes this lock first
   * (the counter triggers update the event row before the tier row), so taking it up front keeps
   * one lock order everywhere and makes the seat counters read here exact until commit.
   */
  async lock(tx: PostgresTransaction, eventId: string): Promise<TicketedEventRow | null> {
    const [row] = await tx.query<TicketedEventRow>(`select ${COLUMNS} from events where id = $1 for update`, [eventId]);
    return row ?? null;
  },

  /** Keeps the event's price summary (list filters) in step with its tiers. */
  async refreshPriceSummary(tx: PostgresTransaction, eventId: string): Promise<void> {
    await tx.query(
      `update events e
          set is_free = p.is_free,
              price_min_minor = case when p.currency is null then null else p.price_min end,
              price_max_minor = case when p.currency is null then null else p.price_max end,
              currency = p.currency
         from (select coalesce(bool_and(price_minor = 0), true) as is_free,
                      min(price_minor) as price_min, max(price_minor) as price_max,
                      min(currency) as currency
                 from ticket_tiers where event_id = $1) p
        where e.id = $1`,
      [eventId],
    );
  },
};
