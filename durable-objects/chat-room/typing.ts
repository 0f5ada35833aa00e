/** Who is typing, with expiry times kept in SQLite so an alarm can clear them after a restart. */
export class Typing {
  readonly #sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  start(userId: string, expiresAt: number): void {
    this.#sql.exec(
      'INSERT INTO typing (user_id, expires_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET expires_at = excluded.expires_at',
      userId, expiresAt,
    );
  }

  /** Returns true when the user was typing. */
  stop(userId: string): boolean {
    return this.#sql.exec('DELETE FROM typing WHERE user_id = ? RETURNING user_id', userId).toArray().length > 0;
  }

  /** Removes and returns everyone whose typing expired by `now`. */
  expire(now: number): string[] {
    return this.#sql
      .exec<{ user_id: string }>('DELETE FROM typing WHERE expires_at <= ? RETURNING user_id', now)
      .toArray()
      .map((row) => row.user_id);
  }

  nextExpiry(): number | null {
    return this.#sql.exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM typing').one().next;
  }
}
