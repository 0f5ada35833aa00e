import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

export type RevokeReason = 'logout' | 'logout_all' | 'password_changed' | 'password_reset' | 'refresh_token_reuse' | 'revoked_by_user' | 'account_deleted';

/** A login as the user sees it in their session list. */
export interface SessionRow {
  id: string;
  created_at: Date;
  last_seen_at: Date;
  ip: string | null;
  user_agent: string | null;
  expires_at: Date;
}

/** Outcome of trying to rotate a refresh token. */
export type Rotation =
  | { kind: 'rotated'; sessionId: string; accountId: string; childId: string }
  | { kind: 'reused'; sessionId: string; accountId: string }
  | { kind: 'invalid' };

/** Sessions (one per login) and their refresh-token families. */
export const sessionsRepo = {
  /** Opens a session and issues its first refresh token id. */
  async open(tx: PostgresTransaction, input: { accountId: string; ip: string | null; userAgent: string | null; ttlSeconds: number }): Promise<{ sessionId: string; refreshId: string }> {
    const [session] = await tx.query<{ id: string }>(
      `insert into sessions (account_id, ip, user_agent, expires_at)
       values ($1, $2::inet, $3, now() + make_interval(secs => $4)) returning id`,
      [input.accountId, input.ip, input.userAgent?.slice(0, 1024) ?? null, input.ttlSeconds],
    );
    const [token] = await tx.query<{ id: string }>(
      `insert into refresh_tokens (session_id, expires_at) values ($1, now() + make_interval(secs => $2)) returning id`,
      [session!.id, input.ttlSeconds],
    );
    return { sessionId: session!.id, refreshId: token!.id };
  },

  /**
   * Marks refresh token `jti` rotated and issues its child, in one transaction. Exactly one
   * concurrent caller can rotate a token (the update only matches an unrotated row, and a token
   * has at most one child). A token that was already rotated is reuse.
   */
  async rotate(tx: PostgresTransaction, jti: string, ttlSeconds: number): Promise<Rotation> {
    const [current] = await tx.query<{ session_id: string; account_id: string; rotated_at: Date | null; usable: boolean }>(
      `select t.session_id, s.account_id, t.rotated_at,
              (t.revoked_at is null and s.revoked_at is null and t.expires_at > now() and s.expires_at > now()) as usable
         from refresh_tokens t join sessions s on s.id = t.session_id
        where t.id = $1 for update of t`,
      [jti],
    );
    if (!current) return { kind: 'invalid' };
    if (current.rotated_at !== null) return { kind: 'reused', sessionId: current.session_id, accountId: current.account_id };
    if (!current.usable) return { kind: 'invalid' };
    const [child] = await tx.query<{ id: string }>(
      `insert into refresh_tokens (session_id, parent_id, expires_at)
       values ($1, $2, least(now() + make_interval(secs => $3), (select expires_at from sessions where id = $1)))
       returning id`,
      [current.session_id, jti, ttlSeconds],
    );
    await tx.query('update refresh_tokens set rotated_at = now(), replaced_by = $2 where id = $1', [jti, child!.id]);
    await tx.query('update sessions set last_seen_at = now() where id = $1', [current.session_id]);
    return { kind: 'rotated', sessionId: current.session_id, accountId: current.account_id, childId: child!.id };
  },

  /** Ends sessions (the whole refresh family of each); returns the ids actually revoked now. */
  async revoke(db: Db, where: { sessionId?: string; accountId: string; exceptSessionId?: string }, reason: RevokeReason): Promise<string[]> {
    const rows = await db.query<{ id: string }>(
      `with ended as (
         update sessions set revoked_at = now(), revoke_reason = $4
          where account_id = $1 and revoked_at is null
            and ($2::uuid is null or id = $2) and ($3::uuid is null or id <> $3)
          returning id)
       , tokens as (update refresh_tokens set revoked_at = now() where session_id in (select id from ended) and revoked_at is null)
       select id from ended`,
      [where.accountId, where.sessionId ?? null, where.exceptSessionId ?? null, reason],
    );
    return rows.map((row) => row.id);
  },

  async listActive(db: Db, accountId: string): Promise<SessionRow[]> {
    return db.query<SessionRow>(
      `select id, created_at, last_seen_at, host(ip) as ip, user_agent, expires_at from sessions
        where account_id = $1 and revoked_at is null and expires_at > now() order by last_seen_at desc limit 100`,
      [accountId],
    );
  },

  async isActive(db: Db, sessionId: string): Promise<boolean> {
    const rows = await db.query('select 1 from sessions where id = $1 and revoked_at is null and expires_at > now()', [sessionId]);
    return rows.length > 0;
  },
};
