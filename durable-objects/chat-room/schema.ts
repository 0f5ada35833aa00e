/** Tables of one room, created idempotently each time the object starts. */
export function createChatRoomTables(sql: SqlStorage): void {
  // seq is the gap-free log position; (sender_id, client_message_id) makes a resend a no-op.
  sql.exec(`CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY,
    sender_id TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    text TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sender_id, client_message_id)
  )`);
  sql.exec('CREATE INDEX IF NOT EXISTS messages_unarchived ON messages (archived, seq)');
  sql.exec(`CREATE TABLE IF NOT EXISTS members (
    user_id TEXT PRIMARY KEY,
    read_seq INTEGER NOT NULL DEFAULT 0,
    delivered_seq INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
  )`);
  sql.exec('CREATE TABLE IF NOT EXISTS typing (user_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
  sql.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
}

/** Small key/value settings of the room (its id, archive schedule). */
export class RoomMeta {
  readonly #sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  get(key: string): string | null {
    const row = this.#sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0];
    return row?.value ?? null;
  }

  set(key: string, value: string): void {
    this.#sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }

  delete(key: string): void {
    this.#sql.exec('DELETE FROM meta WHERE key = ?', key);
  }
}
