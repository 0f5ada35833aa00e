import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import type { Role } from '../../../shared/auth/tokens.ts';

/** An account row as the identity service uses it. */
export interface Account {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  role: Role;
  permissions: string[];
  status: 'active' | 'disabled' | 'deleted';
  email_verified_at: Date | null;
  failed_login_count: number;
  locked_until: Date | null;
  totp_enabled_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const ACCOUNT_COLUMNS = `id, email, username, password_hash, role, permissions, status, email_verified_at,
  failed_login_count, locked_until, totp_enabled_at, last_login_at, created_at, updated_at`;

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** Accounts in Postgres: lookups, creation, lockout bookkeeping. */
export const accountsRepo = {
  async findByEmail(db: Db, email: string): Promise<Account | null> {
    const rows = await db.query<Account>(`select ${ACCOUNT_COLUMNS} from accounts where lower(email) = lower($1) and status <> 'deleted'`, [email]);
    return rows[0] ?? null;
  },

  async findById(db: Db, id: string): Promise<Account | null> {
    const rows = await db.query<Account>(`select ${ACCOUNT_COLUMNS} from accounts where id = $1 and status <> 'deleted'`, [id]);
    return rows[0] ?? null;
  },

  /** Creates an account and its profile; null when the email or username is taken. */
  async create(tx: PostgresTransaction, input: { email: string; username: string; passwordHash: string; displayName?: string }): Promise<Account | null> {
    const rows = await tx.query<Account>(
      `insert into accounts (email, username, password_hash) values ($1, $2, $3)
       on conflict do nothing returning ${ACCOUNT_COLUMNS}`,
      [input.email, input.username, input.passwordHash],
    );
    const account = rows[0];
    if (!account) return null;
    await tx.query('insert into profiles (account_id, display_name) values ($1, $2)', [account.id, input.displayName ?? input.username]);
    return account;
  },

  async usernameTaken(db: Db, username: string): Promise<boolean> {
    const rows = await db.query('select 1 from accounts where lower(username) = lower($1)', [username]);
    return rows.length > 0;
  },

  /**
   * Counts a failed login in one statement, so concurrent failures cannot lose counts; locks the
   * account when the count reaches `maxFailures`. Returns whether this very call locked it.
   */
  async recordFailedLogin(db: Db, id: string, maxFailures: number, lockSeconds: number): Promise<{ lockedNow: boolean }> {
    const rows = await db.query<{ locked_now: boolean }>(
      `update accounts a set
         failed_login_count = a.failed_login_count + 1,
         last_failed_login_at = now(),
         locked_until = case
           when a.failed_login_count + 1 >= $2 and (a.locked_until is null or a.locked_until < now())
             then now() + make_interval(secs => $3)
           else a.locked_until end
       from (select id, locked_until as before from accounts where id = $1 for update) old
       where a.id = old.id
       returning (a.locked_until is distinct from old.before and a.locked_until > now()) as locked_now`,
      [id, maxFailures, lockSeconds],
    );
    return { lockedNow: rows[0]?.locked_now ?? false };
  },

  async recordSuccessfulLogin(db: Db, id: string, newPasswordHash: string | null): Promise<void> {
    await db.query(
      `update accounts set failed_login_count = 0, locked_until = null, last_login_at = now(),
         password_hash = coalesce($2, password_hash) where id = $1`,
      [id, newPasswordHash],
    );
  },

  /** Sets a new password and lifts any lockout (the owner's way out of a lock). */
  async setPassword(db: Db, id: string, passwordHash: string): Promise<void> {
    await db.query(
      `update accounts set password_hash = $2, password_changed_at = now(), failed_login_count = 0, locked_until = null
       where id = $1`,
      [id, passwordHash],
    );
  },

  async markEmailVerified(db: Db, id: string): Promise<void> {
    await db.query('update accounts set email_verified_at = coalesce(email_verified_at, now()) where id = $1', [id]);
  },
};
