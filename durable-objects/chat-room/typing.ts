/**
 * Who is typing, with expiry times kept in SQLite so an alarm can clear them after a restart.
 * The set of typers is mirrored in memory (loaded once per instance), so ending the typing of
 * someone who was not typing, as every sent message does, costs no SQL.
 */
export class Typing {
  readonly #sql: SqlStorage;
  #typers: Set<string> | null = null;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  start(userId: string, expiresAt: number): void {
    this.#sql.exec(
      'INSERT INTO typing (user_id, expires_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET expires_at = excluded.expires_at',
      userId, expiresAt,
    );
    this.#loaded().add(userId);
  }

  /** Returns true when the user was typing. */
  stop(userId: string): boolean {
    const typers = this.#loaded();
    if (!typers.has(userId)) return false;
    const stopped = this.#sql.exec('DELETE FROM typing WHERE user_id = ? RETURNING user_id', userId).toArray().length > 0;
    typers.delete(userId);
    return stopped;
  }

  /** Removes and returns everyone whose typing expired by `now`. */
  expire(now: number): string[] {
    const expired = this.#sql
      .exec<{ user_id: string }>('DELETE FROM typing WHERE expires_at <= ? RETURNING user_id', now)
      .toArray()
      .map((row) => row.user_id);
    const typers = this.#loaded();
    for (const userId of expired) typers.delete(userId);
    return expired;
  }

  nextExpiry(): number | null {
    if (this.#loaded().size === 0) return null;
    return this.#sql.exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM typing').one().next;
  }

  #loaded(): Set<string> {
    this.#typers ??= new Set(this.#sql.exec<{ user_id: string }>('SELECT user_id FROM typing').toArray().map((row) => row.user_id));
    return this.#typers;
  }
}
