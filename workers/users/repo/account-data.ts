import type { ProfileCounters } from './profiles.ts';
import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/*
 * What belongs to an account, in one place: the export reads these lists and the deletion erases
 * from them. A new table or collection that holds a user's data gets one line here.
 *
 * Postgres: deleting the account row cascades to every table below except the ones listed in
 * DELETION_BLOCKERS (their foreign keys have no ON DELETE action) and the ones that keep their
 * row with the reference set to NULL (venues.owner_id, reports, karma_ledger.created_by,
 * check_ins.checked_in_by). The account's own sections (account, profile, sessions, devices) are
 * exported by name, not from this list.
 */

/** Rows in other tables that are the user's: exported under `related.<name>`. */
export interface RelatedTable {
  name: string;
  table: string;
  /** Columns holding the account id; a row is the user's when any of them matches. */
  owners: string[];
  /** Columns left out: secrets, or another person's identity the user has no right to. */
  omit?: string[];
}

export const RELATED_TABLES: readonly RelatedTable[] = [
  { name: 'registrations', table: 'registrations', owners: ['account_id'], omit: ['payment_reference'] },
  { name: 'waitlistEntries', table: 'waitlist_entries', owners: ['account_id'] },
  { name: 'eventLikes', table: 'event_likes', owners: ['account_id'] },
  { name: 'eventsOrganized', table: 'events', owners: ['organizer_id'], omit: ['search_vector'] },
  { name: 'venuesOwned', table: 'venues', owners: ['owner_id'] },
  { name: 'connections', table: 'connections', owners: ['requester_id', 'addressee_id'] },
  { name: 'blocks', table: 'blocks', owners: ['blocker_id'] },
  { name: 'reportsFiled', table: 'reports', owners: ['reporter_id'], omit: ['handled_by', 'resolution'] },
  { name: 'crewsOwned', table: 'crews', owners: ['owner_id'] },
  { name: 'crewMemberships', table: 'crew_members', owners: ['account_id'] },
  { name: 'feedbackGiven', table: 'crew_feedback', owners: ['from_account_id'] },
  // Peer feedback is anonymous to its subject: the author stays out.
  { name: 'feedbackReceived', table: 'crew_feedback', owners: ['to_account_id'], omit: ['from_account_id'] },
  { name: 'karma', table: 'karma_ledger', owners: ['account_id'], omit: ['created_by'] },
  { name: 'achievements', table: 'account_achievements', owners: ['account_id'] },
  { name: 'calendarFeeds', table: 'calendar_feed_tokens', owners: ['account_id'], omit: ['token_hash'] },
];

/** Rows that keep an account from being deleted, and what the user must do about them first. */
export const DELETION_BLOCKERS = [
  // Only upcoming published events: the rest (drafts, cancelled, past) are deleted with the account.
  {
    kind: 'events',
    sql: "select count(*)::int as count from events where organizer_id = $1 and status = 'published' and series_ends_at > now()",
    todo: 'cancel the upcoming events you organize (their attendees are told) or hand them to another organizer',
  },
  { kind: 'crews', sql: 'select count(*)::int as count from crews where owner_id = $1', todo: 'hand over or disband the crews you own' },
] as const;

/** Documents in MongoDB that are the user's. */
export interface OwnedCollection {
  collection: string;
  /** Fields holding the user's id: the export reads and the deletion erases documents matching any. */
  owners: string[];
  /** Further fields whose documents only make sense with the user (erased, not exported). */
  alsoErase?: string[];
  /** false: exported in a section of its own (preferences, login history). */
  exported?: boolean;
  /**
   * Documents that keep their place for others, emptied of everything of the user instead of
   * deleted: the fields set on erasure (they must no longer match `owners`).
   */
  erasedAs?: Record<string, unknown>;
}

export const OWNED_COLLECTIONS: readonly OwnedCollection[] = [
  { collection: 'posts', owners: ['authorId'] },
  { collection: 'comments', owners: ['authorId'] },
  { collection: 'likes', owners: ['userId'] },
  { collection: 'group_members', owners: ['userId'] },
  // Their feed, and their posts fanned out into other people's feeds.
  { collection: 'feeds', owners: ['ownerId'], alsoErase: ['authorId'] },
  { collection: 'notifications', owners: ['recipientId'] },
  { collection: 'notification_preferences', owners: ['userId'] },
  { collection: 'user_preferences', owners: ['userId'], exported: false },
  { collection: 'login_history', owners: ['accountId'], exported: false },
  // A message keeps its seq in its room's archive (no gaps), like the room's own log keeps it.
  { collection: 'chat_messages', owners: ['senderId'], erasedAs: { senderId: null, clientMessageId: null, body: '', erased: true } },
  { collection: 'audit_events', owners: ['actorId', 'payload.userId'] },
];

/** MongoDB documents that keep an account from being deleted (no foreign keys there to say so). */
export const MONGO_DELETION_BLOCKERS = [
  { kind: 'groups', collection: 'groups', field: 'ownerId', todo: 'hand over or delete the groups you own' },
] as const;

/** Most rows or documents exported per source; a source holding more is named in `truncated`. */
export const EXPORT_LIMIT = 1_000;

export interface StatsRow extends ProfileCounters {
  active_sessions: number;
  devices: number;
  created_at: Date;
}

const quoteIdent = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not an identifier: ${name}`);
  return `"${name}"`;
};

/** Reads and the erasure of everything an account owns in Postgres. */
export const accountDataRepo = {
  async stats(db: Db, accountId: string): Promise<StatsRow | null> {
    const rows = await db.query<StatsRow>(
      `select p.karma, p.events_attended_count, p.events_organized_count, p.connections_count, p.followers_count,
              p.following_count, p.crews_count, a.created_at,
              (select count(*)::int from sessions s where s.account_id = a.id and s.revoked_at is null and s.expires_at > now()) as active_sessions,
              (select count(*)::int from device_tokens d where d.account_id = a.id) as devices
         from accounts a join profiles p on p.account_id = a.id
        where a.id = $1 and a.status = 'active'`,
      [accountId],
    );
    return rows[0] ?? null;
  },

  /** The account without any secret: no password hash, TOTP secret or replay step. */
  async account(db: Db, accountId: string): Promise<Record<string, unknown> | null> {
    const rows = await db.query<Record<string, unknown>>(
      `select id, email, username, role, permissions, status, email_verified_at, password_changed_at,
              totp_enabled_at is not null as two_factor_enabled, last_login_at, failed_login_count, locked_until,
              created_at, updated_at
         from accounts where id = $1 and status = 'active'`,
      [accountId],
    );
    return rows[0] ?? null;
  },

  async sessions(db: Db, accountId: string): Promise<Record<string, unknown>[]> {
    return db.query(
      `select id, created_at, last_seen_at, host(ip) as ip, user_agent, mfa_verified_at, expires_at, revoked_at, revoke_reason
         from sessions where account_id = $1 order by created_at desc limit ${EXPORT_LIMIT + 1}`,
      [accountId],
    );
  },

  /** Up to EXPORT_LIMIT + 1 rows of one related table, as JSON objects. */
  async related(db: Db, source: RelatedTable, accountId: string): Promise<unknown[]> {
    const where = source.owners.map((column) => `t.${quoteIdent(column)} = $1`).join(' or ');
    const rows = await db.query<{ row: unknown }>(
      `select to_jsonb(t) - $2::text[] as row from ${quoteIdent(source.table)} t where ${where} limit ${EXPORT_LIMIT + 1}`,
      [accountId, source.omit ?? []],
    );
    return rows.map((entry) => entry.row);
  },

  /** What keeps the account from being deleted now, with a count for each kind. */
  async blockers(db: Db, accountId: string): Promise<Array<{ kind: string; count: number; todo: string }>> {
    const counts = await Promise.all(DELETION_BLOCKERS.map(async (blocker) => {
      const [row] = await db.query<{ count: number }>(blocker.sql, [accountId]);
      return { kind: blocker.kind, count: row?.count ?? 0, todo: blocker.todo };
    }));
    return counts.filter((blocker) => blocker.count > 0);
  },

  /** Locks the account row for the rest of the transaction: no session or event can reference it meanwhile. */
  async lock(tx: PostgresTransaction, accountId: string): Promise<boolean> {
    const rows = await tx.query('select id from accounts where id = $1 and status = \'active\' for update', [accountId]);
    return rows.length > 0;
  },

  /** Sessions whose access tokens may still be valid: those to put on the deny-list. */
  async liveSessionIds(tx: PostgresTransaction, accountId: string, accessTtlSeconds: number): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `select id from sessions
        where account_id = $1 and revoked_at is null and expires_at > now() - make_interval(secs => $2)`,
      [accountId, accessTtlSeconds],
    );
    return rows.map((row) => row.id);
  },

  /** Deletes the account row; its sessions, tokens, profile, devices and the rest cascade. */
  async deleteAccount(tx: PostgresTransaction, accountId: string): Promise<void> {
    await tx.query('delete from accounts where id = $1', [accountId]);
  },
};
