import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** A ticket tier; sold_count and held_count are kept by triggers (0008_ticketing.sql). */
export interface TierRow {
  id: string;
  event_id: string;
  name: string;
  description: string | null;
  kind: 'free' | 'paid' | 'donation';
  price_minor: string;
  currency: string | null;
  quantity: number | null;
  sold_count: number;
  held_count: number;
  sales_start_at: Date | null;
  sales_end_at: Date | null;
  max_per_order: number | null;
  sort_order: number;
}

/** The writable fields of a tier, as the service hands them over. */
export interface TierFields {
  name: string;
  description: string | null;
  kind: 'free' | 'paid' | 'donation';
  priceMinor: number;
  currency: string | null;
  quantity: number | null;
  salesStartAt: string | null;
  salesEndAt: string | null;
  maxPerOrder: number | null;
  sortOrder: number;
}

const COLUMNS = `id, event_id, name, description, kind, price_minor, currency, quantity, sold_count, held_count,
  sales_start_at, sales_end_at, max_per_order, sort_order`;

const values = (fields: TierFields) => [
  fields.name, fields.description, fields.kind, fields.priceMinor, fields.currency, fields.quantity,
  fields.salesStartAt, fields.salesEndAt, fields.maxPerOrder, fields.sortOrder,
];

/** Ticket tiers of events in Postgres. */
export const tiersRepo = {
  async list(db: Db, eventId: string): Promise<TierRow[]> {
    return db.query<TierRow>(`select ${COLUMNS} from ticket_tiers where event_id = $1 order by sort_order, created_at, id`, [eventId]);
  },

  async find(db: Db, eventId: string, tierId: string): Promise<TierRow | null> {
    const [row] = await db.query<TierRow>(`select ${COLUMNS} from ticket_tiers where id = $1 and event_id = $2`, [tierId, eventId]);
    return row ?? null;
  },

  async insert(tx: PostgresTransaction, eventId: string, fields: TierFields): Promise<TierRow> {
    const [row] = await tx.query<TierRow>(
      `insert into ticket_tiers (event_id, name, description, kind, price_minor, currency, quantity,
                                 sales_start_at, sales_end_at, max_per_order, sort_order)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       returning ${COLUMNS}`,
      [eventId, ...values(fields)],
    );
    return row!;
  },

  async update(tx: PostgresTransaction, eventId: string, tierId: string, fields: TierFields): Promise<TierRow | null> {
    const [row] = await tx.query<TierRow>(
      `update ticket_tiers set name = $3, description = $4, kind = $5, price_minor = $6, currency = $7, quantity = $8,
              sales_start_at = $9, sales_end_at = $10, max_per_order = $11, sort_order = $12
        where id = $1 and event_id = $2
        returning ${COLUMNS}`,
      [tierId, eventId, ...values(fields)],
    );
    return row ?? null;
  },

  /** Whether anyone ever registered on the tier or is queueing for it (such a tier is kept). */
  async inUse(tx: PostgresTransaction, tierId: string): Promise<boolean> {
    const [row] = await tx.query<{ used: boolean }>(
      `select exists (select 1 from registrations where tier_id = $1)
           or exists (select 1 from waitlist_entries where tier_id = $1 and status in ('waiting', 'offered')) as used`,
      [tierId],
    );
    return row!.used;
  },

  async remove(tx: PostgresTransaction, eventId: string, tierId: string): Promise<boolean> {
    const rows = await tx.query('delete from ticket_tiers where id = $1 and event_id = $2 returning id', [tierId, eventId]);
    return rows.length > 0;
  },

  /** Currencies of the event's priced tiers other than `exceptTierId` (one event sells in one currency). */
  async otherCurrencies(tx: PostgresTransaction, eventId: string, exceptTierId: string | null): Promise<string[]> {
    const rows = await tx.query<{ currency: string }>(
      `select distinct currency from ticket_tiers
        where event_id = $1 and currency is not null and ($2::uuid is null or id <> $2)`,
      [eventId, exceptTierId],
    );
    return rows.map((row) => row.currency);
  },
};
