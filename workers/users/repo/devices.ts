import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** A push token of one app install. */
export interface DeviceRow {
  id: string;
  session_id: string | null;
  platform: 'ios' | 'android' | 'web';
  token: string;
  device_name: string | null;
  app_version: string | null;
  created_at: Date;
  last_seen_at: Date;
}

const DEVICE_COLUMNS = 'id, session_id, platform, token, device_name, app_version, created_at, last_seen_at';

/** Push device tokens in Postgres; a token is globally unique (one app install). */
export const devicesRepo = {
  /**
   * Registers a token for the account and session, in one statement. A token already known moves
   * to this account (another person logged in on that install) and starts afresh there; the same
   * account re-registering it just refreshes it. `created` is true when the token is new to this
   * account (a new row, or one that moved here).
   */
  async upsert(db: Db, input: { accountId: string; sessionId: string; platform: string; token: string; deviceName: string | null; appVersion: string | null }): Promise<DeviceRow & { created: boolean }> {
    const [row] = await db.query<DeviceRow & { created: boolean }>(
      `with before as (select account_id from device_tokens where token = $4)
       insert into device_tokens as d (account_id, session_id, platform, token, device_name, app_version)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (token) do update set
         created_at = case when d.account_id = excluded.account_id then d.created_at else now() end,
         account_id = excluded.account_id, session_id = excluded.session_id, platform = excluded.platform,
         device_name = excluded.device_name, app_version = excluded.app_version, last_seen_at = now()
       returning ${DEVICE_COLUMNS}, coalesce((select account_id from before) <> $1, true) as created`,
      [input.accountId, input.sessionId, input.platform, input.token, input.deviceName, input.appVersion],
    );
    return row!;
  },

  /** Keeps the account's `keep` most recently seen devices and drops the rest. */
  async trim(db: Db, accountId: string, keep: number): Promise<void> {
    await db.query(
      `delete from device_tokens where id in (
         select id from device_tokens where account_id = $1 order by last_seen_at desc, id offset $2)`,
      [accountId, keep],
    );
  },

  async list(db: Db, accountId: string): Promise<DeviceRow[]> {
    return db.query<DeviceRow>(`select ${DEVICE_COLUMNS} from device_tokens where account_id = $1 order by last_seen_at desc, id`, [accountId]);
  },

  /** Removes one of the account's devices; false when the account has no such device. */
  async remove(db: Db, accountId: string, id: string): Promise<boolean> {
    const rows = await db.query('delete from device_tokens where id = $1 and account_id = $2 returning id', [id, accountId]);
    return rows.length > 0;
  },
};
