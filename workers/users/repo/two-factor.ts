import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** An account's two-factor state; the secret stays encrypted until the service needs it. */
export interface TwoFactorState {
  secretEncrypted: string | null;
  enabledAt: Date | null;
  passwordChangedAt: Date;
}

/** TOTP columns of accounts, backup codes, and the session's second-factor mark, in Postgres. */
export const twoFactorRepo = {
  async state(db: Db, accountId: string): Promise<TwoFactorState | null> {
    const rows = await db.query<{ totp_secret_encrypted: string | null; totp_enabled_at: Date | null; password_changed_at: Date }>(
      `select totp_secret_encrypted, totp_enabled_at, password_changed_at
         from accounts where id = $1 and status = 'active'`,
      [accountId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      secretEncrypted: row.totp_secret_encrypted,
      enabledAt: row.totp_enabled_at,
      passwordChangedAt: row.password_changed_at,
    };
  },

  /** Stores a new, not yet enabled secret; false when two-factor is already enabled. */
  async saveSecret(db: Db, accountId: string, secretEncrypted: string): Promise<boolean> {
    const rows = await db.query(
      `update accounts set totp_secret_encrypted = $2, totp_last_used_step = null
        where id = $1 and totp_enabled_at is null returning id`,
      [accountId, secretEncrypted],
    );
    return rows.length > 0;
  },

  /**
   * Enables two-factor with the step of the first code, only if it is still off and the secret is
   * the one that code was checked against (a concurrent setup may have replaced it).
   */
  async enable(db: Db, accountId: string, secretEncrypted: string, step: number): Promise<boolean> {
    const rows = await db.query(
      `update accounts set totp_enabled_at = now(), totp_last_used_step = $3
        where id = $1 and totp_enabled_at is null and totp_secret_encrypted = $2
          and (totp_last_used_step is null or totp_last_used_step < $3)
        returning id`,
      [accountId, secretEncrypted, step],
    );
    return rows.length > 0;
  },

  /** Accepts a TOTP time-step once: only a later step than the last accepted one matches. */
  async claimStep(db: Db, accountId: string, step: number): Promise<boolean> {
    const rows = await db.query(
      `update accounts set totp_last_used_step = $2
        where id = $1 and totp_enabled_at is not null
          and (totp_last_used_step is null or totp_last_used_step < $2)
        returning id`,
      [accountId, step],
    );
    return rows.length > 0;
  },

  /**
   * Replaces every backup code of the account (old ones stop working). Nothing is inserted once
   * two-factor is off, so a regeneration racing a disable leaves no codes behind.
   */
  async replaceBackupCodes(tx: PostgresTransaction, accountId: string, codeHashes: string[]): Promise<void> {
    await tx.query('delete from backup_codes where account_id = $1', [accountId]);
    await tx.query(
      `insert into backup_codes (account_id, code_hash)
       select $1::uuid, unnest($2::text[]) where exists (select 1 from accounts where id = $1::uuid and totp_enabled_at is not null)`,
      [accountId, codeHashes],
    );
  },

  /** Uses a backup code up; exactly one concurrent caller gets true. */
  async redeemBackupCode(db: Db, accountId: string, codeHash: string): Promise<boolean> {
    const rows = await db.query(
      `update backup_codes set used_at = now()
        where account_id = $1 and code_hash = $2 and used_at is null returning id`,
      [accountId, codeHash],
    );
    return rows.length > 0;
  },

  /** Turns two-factor off: secret, step and backup codes go. */
  async disable(tx: PostgresTransaction, accountId: string): Promise<void> {
    await tx.query('delete from backup_codes where account_id = $1', [accountId]);
    await tx.query(
      'update accounts set totp_secret_encrypted = null, totp_enabled_at = null, totp_last_used_step = null where id = $1',
      [accountId],
    );
  },

  /**
   * Stores a rehash made while the password was at hand (login's first step, 2FA pending); the
   * lockout counters are left to the completed login.
   */
  async storeRehash(db: Db, accountId: string, passwordHash: string): Promise<void> {
    await db.query('update accounts set password_hash = $2 where id = $1', [accountId, passwordHash]);
  },

  async markSessionMfaVerified(db: Db, sessionId: string): Promise<void> {
    await db.query('update sessions set mfa_verified_at = now() where id = $1', [sessionId]);
  },
};
