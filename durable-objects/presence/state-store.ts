import type { PresenceState } from '../../shared/realtime/presence-snapshot.ts';

export type ChosenState = Exclude<PresenceState, 'offline'>;

/** What a Presence object remembers across restarts: whose it is, what they chose, what others see. */
export interface PresenceRecord {
  userId: string | null;
  chosen: ChosenState;
  state: PresenceState;
  lastSeenAt: string | null;
}

/** The single-row SQLite table of one user's presence. */
export class PresenceStateStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    // Idempotent: runs in the constructor of every instance, first boot or after eviction.
    sql.exec(`CREATE TABLE IF NOT EXISTS presence (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      user_id TEXT,
      chosen TEXT NOT NULL DEFAULT 'online' CHECK (chosen IN ('online', 'away', 'busy')),
      state TEXT NOT NULL DEFAULT 'offline' CHECK (state IN ('online', 'away', 'busy', 'offline')),
      last_seen_at TEXT
    )`);
    sql.exec(`INSERT OR IGNORE INTO presence (id) VALUES (1)`);
  }

  read(): PresenceRecord {
    const row = this.#sql.exec<{ user_id: string | null; chosen: ChosenState; state: PresenceState; last_seen_at: string | null }>(
      'SELECT user_id, chosen, state, last_seen_at FROM presence WHERE id = 1',
    ).one();
    return { userId: row.user_id, chosen: row.chosen, state: row.state, lastSeenAt: row.last_seen_at };
  }

  /** Remembers the owner the first time a trusted request names them. */
  claim(userId: string): void {
    this.#sql.exec('UPDATE presence SET user_id = ? WHERE id = 1 AND user_id IS NULL', userId);
  }

  /** Back to a fresh object's row, owner unknown: nothing is published for it any more. */
  forget(): void {
    this.#sql.exec("UPDATE presence SET user_id = NULL, chosen = 'online', state = 'offline', last_seen_at = NULL WHERE id = 1");
  }

  choose(chosen: ChosenState): void {
    this.#sql.exec('UPDATE presence SET chosen = ? WHERE id = 1', chosen);
  }

  /** Stores the visible state; returns whether it differs from what was stored. */
  publish(state: PresenceState, lastSeenAt: string | null): boolean {
    const before = this.read();
    if (before.state === state && before.lastSeenAt === lastSeenAt) return false;
    this.#sql.exec('UPDATE presence SET state = ?, last_seen_at = ? WHERE id = 1', state, lastSeenAt);
    return true;
  }
}
