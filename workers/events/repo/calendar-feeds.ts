import type { Postgres } from '../../../shared/stores/index.ts';
import { EVENT_COLUMNS, type EventRow } from './events.ts';

type Db = Pick<Postgres, 'query'>;

/** Secret calendar feeds (one per account, keyed by the SHA-256 of its token) and what they list. */
export const calendarFeedsRepo = {
  /** Creates the account's feed or replaces its token; returns when this token was issued. */
  async rotate(db: Db, accountId: string, tokenHash: string): Promise<Date> {
    const [row] = await db.query<{ created_at: Date }>(
      `insert into calendar_feeds (account_id, token_hash) values ($1, $2)
       on conflict (account_id) do update set token_hash = excluded.token_hash, created_at = now()
       returning created_at`,
      [accountId, tokenHash],
    );
    return row!.created_at;
  },

  /** Deletes the account's feed; false when it had none. */
  async revoke(db: Db, accountId: string): Promise<boolean> {
    return (await db.query('delete from calendar_feeds where account_id = $1 returning account_id', [accountId])).length > 0;
  },

  /** The account a feed token (by its hash) belongs to, or null. */
  async accountFor(db: Db, tokenHash: string): Promise<string | null> {
    const [row] = await db.query<{ account_id: string }>('select account_id from calendar_feeds where token_hash = $1', [tokenHash]);
    return row?.account_id ?? null;
  },

  /**
   * The events on an account's feed: those it organizes (drafts aside) and those it holds an
   * active registration for, whose series ended at most `pastDays` ago; earliest first, at most `limit`.
   */
  async feedEvents(db: Db, accountId: string, pastDays: number, limit: number): Promise<EventRow[]> {
    return db.query<EventRow>(
      `with listed as (
         select id from events where organizer_id = $1
         union
         select event_id from registrations where account_id = $1 and status in ('confirmed', 'checked_in'))
       select ${EVENT_COLUMNS}
         from events e join listed l on l.id = e.id
        where e.status <> 'draft' and e.series_ends_at > now() - make_interval(days => $2)
        order by e.starts_at, e.id
        limit $3`,
      [accountId, pastDays, limit],
    );
  },
};
