import type { Notification } from '../../shared/realtime/protocol.ts';

// The inbox keeps recent notifications only; the notification service keeps the full history.
export const INBOX_CAPACITY = 500;

interface NotificationRow extends Record<string, SqlStorageValue> {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  link: string | null;
  data: string | null;
  created_at: string;
  read_at: string | null;
}

// Shallow on purpose: a recursive JSON type is too deep for the RPC stub's typings.
type JsonValue = string | number | boolean | null | object;

/** A stored notification as `recent()` hands it out; `data` is typed as JSON so it crosses RPC. */
export type InboxItem = Omit<Notification, 'data'> & { data?: Record<string, JsonValue>; readAt: string | null };

const toNotification = (row: NotificationRow): InboxItem => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  ...(row.body === null ? {} : { body: row.body }),
  ...(row.link === null ? {} : { link: row.link }),
  ...(row.data === null ? {} : { data: JSON.parse(row.data) as Record<string, JsonValue> }),
  createdAt: row.created_at,
  readAt: row.read_at,
});

/** One user's recent in-app notifications in the object's SQLite storage. */
export class NotificationStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS notifications (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      title TEXT NOT NULL,
      body TEXT,
      link TEXT,
      data TEXT,
      created_at TEXT NOT NULL,
      read_at TEXT
    )`);
    sql.exec('CREATE INDEX IF NOT EXISTS notifications_unread_idx ON notifications (read_at, created_at)');
  }

  /** Stores a notification unless one with its id is already there; returns whether it was new. */
  add(notification: Notification): boolean {
    const cursor = this.#sql.exec(
      `INSERT INTO notifications (id, kind, title, body, link, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      notification.id, notification.kind, notification.title, notification.body ?? null, notification.link ?? null,
      notification.data === undefined ? null : JSON.stringify(notification.data), notification.createdAt,
    );
    // Counting returned rows, not rowsWritten: index updates count as written rows too.
    if (cursor.toArray().length === 0) return false;
    this.#trim();
    return true;
  }

  unreadCount(): number {
    return this.#sql.exec<{ count: number }>('SELECT count(*) AS count FROM notifications WHERE read_at IS NULL').one().count;
  }

  /** Marks the given (or all) unread notifications read; returns how many changed. */
  markRead(ids: readonly string[] | 'all', at: string): number {
    if (ids === 'all') return this.#sql.exec('UPDATE notifications SET read_at = ? WHERE read_at IS NULL RETURNING id', at).toArray().length;
    if (ids.length === 0) return 0;
    const placeholders = ids.map(() => '?').join(', ');
    return this.#sql.exec(`UPDATE notifications SET read_at = ? WHERE read_at IS NULL AND id IN (${placeholders}) RETURNING id`, at, ...ids).toArray().length;
  }

  /** Newest first. */
  recent(limit: number): InboxItem[] {
    return this.#sql.exec<NotificationRow>('SELECT * FROM notifications ORDER BY created_at DESC, id DESC LIMIT ?', limit).toArray().map(toNotification);
  }

  clear(): void {
    this.#sql.exec('DELETE FROM notifications');
  }

  // Keeps unread ones first, then the newest read ones; whatever falls beyond the capacity goes.
  #trim(): void {
    this.#sql.exec(
      `DELETE FROM notifications WHERE id IN (
         SELECT id FROM notifications ORDER BY (read_at IS NULL) DESC, created_at DESC LIMIT -1 OFFSET ?)`,
      INBOX_CAPACITY,
    );
  }
}
