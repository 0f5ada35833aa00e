import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;
export type TokenPurpose = 'email_verification' | 'password_reset';

/** Single-use emailed tokens, stored hashed, redeemed by one atomic statement. */
export const oneTimeTokensRepo = {
  async create(db: Db, input: { accountId: string; purpose: TokenPurpose; tokenHash: string; email: string; ttlSeconds: number }): Promise<void> {
    await db.query(
      `insert into one_time_tokens (account_id, purpose, token_hash, email, expires_at)
       values ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [input.accountId, input.purpose, input.tokenHash, input.email, input.ttlSeconds],
    );
  },

  /** Marks the token used and returns its account, or null when unknown, used or expired. */
  async redeem(db: Db, tokenHash: string, purpose: TokenPurpose): Promise<{ accountId: string } | null> {
    const rows = await db.query<{ account_id: string }>(
      `update one_time_tokens set used_at = now()
        where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()
        returning account_id`,
      [tokenHash, purpose],
    );
    return rows[0] ? { accountId: rows[0].account_id } : null;
  },

  /** The account of a live token, without using it up. */
  async peek(db: Db, tokenHash: string, purpose: TokenPurpose): Promise<{ accountId: string } | null> {
    const rows = await db.query<{ account_id: string }>(
      'select account_id from one_time_tokens where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()',
      [tokenHash, purpose],
    );
    return rows[0] ? { accountId: rows[0].account_id } : null;
  },

  /** Invalidates a user's outstanding tokens of a purpose (a new reset link voids older ones). */
  async voidOutstanding(db: Db, accountId: string, purpose: TokenPurpose): Promise<void> {
    await db.query(
      `update one_time_tokens set used_at = now() where account_id = $1 and purpose = $2 and used_at is null`,
      [accountId, purpose],
    );
  },
};
