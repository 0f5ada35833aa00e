import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** The engagement counters of an event, as Postgres holds them. */
export interface EngagementCountsRow {
  like_count: number;
  comment_count: number;
  share_count: number;
}

/**
 * Likes (rows of event_likes; like_count follows by trigger) and the engagement counters the
 * service keeps itself (comment_count for comments held in MongoDB, share_count).
 */
export const likesRepo = {
  /** Likes the event once per account: a second like is a no-op. True when this call added it. */
  async like(db: Db, eventId: string, accountId: string): Promise<boolean> {
    const rows = await db.query(
      'insert into event_likes (event_id, account_id) values ($1, $2) on conflict do nothing returning event_id',
      [eventId, accountId],
    );
    return rows.length > 0;
  },

  /** Removes the account's like; true when there was one. */
  async unlike(db: Db, eventId: string, accountId: string): Promise<boolean> {
    const rows = await db.query('delete from event_likes where event_id = $1 and account_id = $2 returning event_id', [eventId, accountId]);
    return rows.length > 0;
  },

  async hasLiked(db: Db, eventId: string, accountId: string): Promise<boolean> {
    return (await db.query('select 1 from event_likes where event_id = $1 and account_id = $2', [eventId, accountId])).length > 0;
  },

  async counts(db: Db, eventId: string): Promise<EngagementCountsRow | null> {
    const rows = await db.query<EngagementCountsRow>('select like_count, comment_count, share_count from events where id = $1', [eventId]);
    return rows[0] ?? null;
  },

  /** Moves comment_count by `delta` (never below zero); returns the new count. */
  async addComments(db: Db, eventId: string, delta: number): Promise<number> {
    const rows = await db.query<{ comment_count: number }>(
      'update events set comment_count = greatest(comment_count + $2, 0) where id = $1 returning comment_count',
      [eventId, delta],
    );
    return rows[0]?.comment_count ?? 0;
  },

  /** Counts one share in the event's total and its channel's, in one statement. */
  async addShare(db: Db, eventId: string, channel: string): Promise<number> {
    const rows = await db.query<{ share_count: number }>(
      `with total as (update events set share_count = share_count + 1 where id = $1 returning id, share_count),
            by_channel as (
              insert into event_share_channels (event_id, channel, shares) select id, $2, 1 from total
              on conflict (event_id, channel) do update set shares = event_share_channels.shares + 1
            )
       select share_count from total`,
      [eventId, channel],
    );
    return rows[0]?.share_count ?? 0;
  },
};
