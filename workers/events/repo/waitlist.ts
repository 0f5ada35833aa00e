import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import type { PagePosition } from './registrations.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

export type WaitlistStatus = 'waiting' | 'offered' | 'accepted' | 'expired' | 'cancelled';

/** A place in an event's line; an 'offered' entry holds its seats by trigger (0008_ticketing.sql). */
export interface WaitlistRow {
  id: string;
  event_id: string;
  tier_id: string | null;
  account_id: string;
  party_size: number;
  status: WaitlistStatus;
  offered_at: Date | null;
  offer_expires_at: Date | null;
  created_at: Date;
  /** Offered and not past its deadline (by the database clock). */
  offer_live: boolean;
}

export interface WaitlistLineRow extends WaitlistRow {
  username: string;
  display_name: string | null;
  position: number | null;
}

const COLUMNS = `w.id, w.event_id, w.tier_id, w.account_id, w.party_size, w.status, w.offered_at, w.offer_expires_at, w.created_at,
  (w.status = 'offered' and w.offer_expires_at > now()) as offer_live`;

/** Waitlist entries in Postgres. Line order is (created_at, id). */
export const waitlistRepo = {
  /** Queues the account; 23505 (waitlist_entries_one_live_per_account_key) if it already queues. */
  async insert(tx: PostgresTransaction, input: { eventId: string; tierId: string | null; accountId: string; partySize: number }): Promise<WaitlistRow> {
    const [row] = await tx.query<WaitlistRow>(
      `insert into waitlist_entries as w (event_id, tier_id, account_id, party_size) values ($1, $2, $3, $4) returning ${COLUMNS}`,
      [input.eventId, input.tierId, input.accountId, input.partySize],
    );
    return row!;
  },

  /** The account's waiting or offered entry for the event, optionally locked for the transaction. */
  async findLive(db: Db, eventId: string, accountId: string, lock = false): Promise<WaitlistRow | null> {
    const [row] = await db.query<WaitlistRow>(
      `select ${COLUMNS} from waitlist_entries w
        where w.event_id = $1 and w.account_id = $2 and w.status in ('waiting', 'offered')${lock ? ' for update' : ''}`,
      [eventId, accountId],
    );
    return row ?? null;
  },

  /** 1 + how many are waiting ahead of the entry. */
  async position(db: Db, entry: Pick<WaitlistRow, 'event_id' | 'id'>): Promise<number> {
    // Compared in SQL: created_at has microseconds, a JavaScript Date only milliseconds.
    const [row] = await db.query<{ ahead: number }>(
      `select count(*)::int as ahead from waitlist_entries w, waitlist_entries mine
        where mine.id = $2 and w.event_id = $1 and w.status = 'waiting' and (w.created_at, w.id) < (mine.created_at, mine.id)`,
      [entry.event_id, entry.id],
    );
    return row!.ahead + 1;
  },

  /**
   * The first `limit` waiting entries, locked. SKIP LOCKED: an entry its owner is leaving right
   * now is passed over rather than waited for.
   */
  async waitingInLine(tx: PostgresTransaction, eventId: string, limit: number): Promise<WaitlistRow[]> {
    return tx.query<WaitlistRow>(
      `select ${COLUMNS} from waitlist_entries w
        where w.event_id = $1 and w.status = 'waiting'
        order by w.created_at, w.id
        limit $2
          for update skip locked`,
      [eventId, limit],
    );
  },

  /** Offers the seats until now + `seconds`; the hold trigger takes them. */
  async offer(tx: PostgresTransaction, entryId: string, seconds: number): Promise<WaitlistRow> {
    const [row] = await tx.query<WaitlistRow>(
      `update waitlist_entries w set status = 'offered', offered_at = now(), offer_expires_at = now() + make_interval(secs => $2)
        where w.id = $1 and w.status = 'waiting'
        returning ${COLUMNS}`,
      [entryId, seconds],
    );
    return row!;
  },

  /** Closes a live entry (accepted, expired or cancelled); an offered entry's hold is released. */
  async close(tx: PostgresTransaction, entryId: string, status: 'accepted' | 'expired' | 'cancelled'): Promise<void> {
    await tx.query(
      `update waitlist_entries set status = $2, responded_at = now() where id = $1 and status in ('waiting', 'offered')`,
      [entryId, status],
    );
  },

  /** Events that have offers past their deadline (oldest deadline first). */
  async eventsWithExpiredOffers(db: Db, limit: number): Promise<string[]> {
    const rows = await db.query<{ event_id: string }>(
      `select event_id from waitlist_entries where status = 'offered' and offer_expires_at <= now()
        group by event_id order by min(offer_expires_at) limit $1`,
      [limit],
    );
    return rows.map((row) => row.event_id);
  },

  /** Expires the event's offers past their deadline; SKIP LOCKED so concurrent runs split the work. */
  async expireOffers(tx: PostgresTransaction, eventId: string): Promise<number> {
    const rows = await tx.query(
      `update waitlist_entries set status = 'expired', responded_at = now()
        where id in (select id from waitlist_entries
                      where event_id = $1 and status = 'offered' and offer_expires_at <= now()
                        for update skip locked)
        returning id`,
      [eventId],
    );
    return rows.length;
  },

  /** One page of the event's live line in line order (an offered entry keeps its place). */
  async line(db: Db, eventId: string, after: PagePosition | null, limit: number): Promise<WaitlistLineRow[]> {
    return db.query<WaitlistLineRow>(
      `select ${COLUMNS}, a.username, p.display_name,
              case when w.status = 'waiting' then 1 + (
                select count(*)::int from waitlist_entries ahead
                 where ahead.event_id = w.event_id and ahead.status = 'waiting' and (ahead.created_at, ahead.id) < (w.created_at, w.id))
              end as position
         from waitlist_entries w join accounts a on a.id = w.account_id left join profiles p on p.account_id = w.account_id
        where w.event_id = $1 and w.status in ('waiting', 'offered')
          and ($2::timestamptz is null or (date_trunc('milliseconds', w.created_at), w.id) > ($2, $3::uuid))
        order by date_trunc('milliseconds', w.created_at), w.id
        limit $4`,
      [eventId, after?.at ?? null, after?.id ?? null, limit],
    );
  },
};
