import type { ChatMessage } from '../../shared/realtime/protocol.ts';

interface MessageRow extends Record<string, SqlStorageValue> {
  seq: number;
  sender_id: string;
  client_message_id: string;
  text: string;
  sent_at: number;
}

// An erased message (its sender's account was deleted) keeps its row and seq, with no sender.
const ERASED_SENDER = '';

export interface AppendOutcome {
  message: ChatMessage;
  duplicate: boolean;
}

/**
 * The room's durable log in SQLite. Every method is synchronous: inside a Durable Object nothing
 * interleaves with a synchronous block, so max(seq) + 1 is a gap-free, unique sequence number.
 */
export class MessageLog {
  readonly #sql: SqlStorage;
  readonly #roomId: () => string;

  constructor(sql: SqlStorage, roomId: () => string) {
    this.#sql = sql;
    this.#roomId = roomId;
  }

  /**
   * Stores the message once per (sender, clientMessageId); a resend returns the original.
   * One statement takes the next seq and inserts, so the usual case costs a single round to SQLite.
   */
  append(senderId: string, clientMessageId: string, text: string, now: number): AppendOutcome {
    const inserted = this.#sql
      .exec<{ seq: number }>(
        `INSERT INTO messages (seq, sender_id, client_message_id, text, sent_at)
         VALUES (COALESCE((SELECT MAX(seq) FROM messages), 0) + 1, ?, ?, ?, ?)
         ON CONFLICT (sender_id, client_message_id) DO NOTHING RETURNING seq`,
        senderId, clientMessageId, text, now,
      )
      .toArray()[0];
    if (inserted) {
      return { message: { roomId: this.#roomId(), seq: inserted.seq, senderId, clientMessageId, text, sentAt: new Date(now).toISOString() }, duplicate: false };
    }
    const existing = this.#rows('SELECT * FROM messages WHERE sender_id = ? AND client_message_id = ?', senderId, clientMessageId)[0]!;
    return { message: this.#toMessage(existing), duplicate: true };
  }

  lastSeq(): number {
    return this.#sql.exec<{ last: number | null }>('SELECT MAX(seq) AS last FROM messages').one().last ?? 0;
  }

  /** The oldest sequence number still held here (older ones live only in the archive). */
  oldestSeq(): number | null {
    return this.#sql.exec<{ oldest: number | null }>('SELECT MIN(seq) AS oldest FROM messages').one().oldest;
  }

  /** Messages after `since`, oldest first. */
  after(since: number, limit: number): ChatMessage[] {
    return this.#rows('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?', since, limit).map((row) => this.#toMessage(row));
  }

  /** Messages before `before`, newest first. */
  before(before: number, limit: number): ChatMessage[] {
    return this.#rows('SELECT * FROM messages WHERE seq < ? ORDER BY seq DESC LIMIT ?', before, limit).map((row) => this.#toMessage(row));
  }

  /** Messages from others after the reader's cursor (erased ones are nothing to read). */
  unreadFor(userId: string, readSeq: number): number {
    return this.#sql.exec<{ count: number }>(
      'SELECT COUNT(*) AS count FROM messages WHERE seq > ? AND sender_id NOT IN (?, ?)', readSeq, userId, ERASED_SENDER,
    ).one().count;
  }

  /** A sender's messages not archived yet, oldest first. */
  unarchivedOf(senderId: string, limit: number): ChatMessage[] {
    return this.#rows('SELECT * FROM messages WHERE archived = 0 AND sender_id = ? ORDER BY seq LIMIT ?', senderId, limit).map((row) => this.#toMessage(row));
  }

  unarchived(limit: number): ChatMessage[] {
    return this.#rows('SELECT * FROM messages WHERE archived = 0 ORDER BY seq LIMIT ?', limit).map((row) => this.#toMessage(row));
  }

  hasUnarchived(): boolean {
    return this.#sql.exec('SELECT 1 FROM messages WHERE archived = 0 LIMIT 1').toArray().length > 0;
  }

  markArchived(fromSeq: number, toSeq: number): void {
    this.#sql.exec('UPDATE messages SET archived = 1 WHERE seq BETWEEN ? AND ?', fromSeq, toSeq);
  }

  /** Drops archived messages beyond the newest `keep`; the newest row always stays, so max(seq) never goes back. */
  pruneArchived(keep: number): void {
    this.#sql.exec('DELETE FROM messages WHERE archived = 1 AND seq <= ?', this.lastSeq() - Math.max(1, keep));
  }

  /**
   * Erases every message of a sender whose account is being deleted; returns how many. Each keeps
   * its seq (the log stays gap-free) and loses its text, sender and client id (replaced by one
   * unique in the room, so erased messages never collide). An archived one is archived again.
   */
  eraseSender(senderId: string): number {
    return this.#sql.exec(
      "UPDATE messages SET sender_id = ?, client_message_id = 'erased:' || seq, text = '', archived = 0 WHERE sender_id = ?",
      ERASED_SENDER, senderId,
    ).rowsWritten;
  }

  #rows(query: string, ...bindings: SqlStorageValue[]): MessageRow[] {
    return this.#sql.exec<MessageRow>(query, ...bindings).toArray();
  }

  #toMessage(row: MessageRow): ChatMessage {
    if (row.sender_id === ERASED_SENDER) {
      return { roomId: this.#roomId(), seq: row.seq, senderId: null, clientMessageId: null, text: '', sentAt: new Date(row.sent_at).toISOString(), erased: true };
    }
    return {
      roomId: this.#roomId(),
      seq: row.seq,
      senderId: row.sender_id,
      clientMessageId: row.client_message_id,
      text: row.text,
      sentAt: new Date(row.sent_at).toISOString(),
    };
  }
}
