import type { Postgres } from '../../../shared/stores/index.ts';

/** A user as the users routes show it (account joined with its profile's display name). */
export interface UserRow {
  id: string;
  username: string;
  email: string;
  role: 'admin' | 'moderator' | 'user';
  permissions: string[];
  display_name: string | null;
  email_verified_at: Date | null;
  totp_enabled_at: Date | null;
  created_at: Date;
}

const USER_SELECT = `select a.id, a.username, a.email, a.role, a.permissions, p.display_name, a.email_verified_at,
  a.totp_enabled_at, a.created_at from accounts a left join profiles p on p.account_id = a.id`;

/** Reads and updates of users (accounts + profile names). */
export const usersRepo = {
  async find(db: Pick<Postgres, 'query'>, id: string): Promise<UserRow | null> {
    const rows = await db.query<UserRow>(`${USER_SELECT} where a.id = $1 and a.status = 'active'`, [id]);
    return rows[0] ?? null;
  },

  /** Applies the given changes in one transaction; the username's uniqueness is the database's. */
  async update(postgres: Postgres, id: string, changes: { username?: string; displayName?: string }): Promise<void> {
    await postgres.transaction(async (tx) => {
      if (changes.username !== undefined) await tx.query('update accounts set username = $2 where id = $1', [id, changes.username]);
      if (changes.displayName !== undefined) await tx.query('update profiles set display_name = $2 where account_id = $1', [id, changes.displayName]);
    });
  },
};
