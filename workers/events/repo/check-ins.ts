import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

export interface NewCheckIn {
  registrationId: string;
  eventId: string;
  checkedInBy: string;
  method: 'qr' | 'manual';
  tokenId: string | null;
}

/** Check-ins at the door in Postgres. */
export const checkInsRepo = {
  /**
   * Records the check-in; its trigger marks the registration checked_in. One statement, so two
   * desks scanning one ticket at once meet at the unique keys: check_ins_registration_key or
   * check_ins_token_key (23505) for the second, check_ins_registration_active (23514) for a
   * cancelled registration, check_ins_registration_fkey (23503) for one of another event.
   */
  async insert(db: Db, input: NewCheckIn): Promise<void> {
    await db.query(
      `insert into check_ins (registration_id, event_id, checked_in_by, method, token_id) values ($1, $2, $3, $4, $5)`,
      [input.registrationId, input.eventId, input.checkedInBy, input.method, input.tokenId],
    );
  },

  /** Removes the registration's check-in (its trigger makes the registration confirmed again); false when there was none. */
  async remove(db: Db, eventId: string, registrationId: string): Promise<boolean> {
    const rows = await db.query('delete from check_ins where event_id = $1 and registration_id = $2 returning 1', [eventId, registrationId]);
    return rows.length > 0;
  },
};
