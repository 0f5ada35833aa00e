export interface MemberCursor {
  userId: string;
  readSeq: number;
  deliveredSeq: number;
}

interface MemberRow extends Record<string, SqlStorageValue> {
  user_id: string;
  read_seq: number;
  delivered_seq: number;
}

/** Per-member read and delivery cursors; they only move forward. */
export class Members {
  readonly #sql: SqlStorage;
  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Marks the user a member (again); existing cursors are kept. */
  activate(userId: string): void {
    this.#sql.exec('INSERT INTO members (user_id) VALUES (?) ON CONFLICT (user_id) DO UPDATE SET active = 1', userId);
  }

  deactivate(userId: string): void {
    this.#sql.exec('UPDATE members SET active = 0 WHERE user_id = ?', userId);
  }

  /** Forgets the user and their cursors (their account is being deleted). */
  forget(userId: string): void {
    this.#sql.exec('DELETE FROM members WHERE user_id = ?', userId);
  }

  /** True only for someone removed here; people never seen are left to the caller's check. */
  wasRemoved(userId: string): boolean {
    return this.#sql.exec('SELECT 1 FROM members WHERE user_id = ? AND active = 0', userId).toArray().length > 0;
  }

  active(): MemberCursor[] {
    return this.#sql
      .exec<MemberRow>('SELECT user_id, read_seq, delivered_seq FROM members WHERE active = 1 ORDER BY user_id')
      .toArray()
      .map((row) => ({ userId: row.user_id, readSeq: row.read_seq, deliveredSeq: row.delivered_seq }));
  }

  cursor(userId: string): MemberCursor {
    const row = this.#sql.exec<MemberRow>('SELECT user_id, read_seq, delivered_seq FROM members WHERE user_id = ?', userId).toArray()[0];
    return { userId, readSeq: row?.read_seq ?? 0, deliveredSeq: row?.delivered_seq ?? 0 };
  }

  /** Moves the cursor forward to `seq`; returns false when it was already there or beyond. Reading implies delivery. */
  advance(userId: string, kind: 'read' | 'delivered', seq: number): boolean {
    // One upsert that only writes (and only returns a row) when the cursor really moves.
    const moved = kind === 'read'
      ? this.#sql.exec(
        `INSERT INTO members (user_id, read_seq, delivered_seq) SELECT ?1, ?2, ?2 WHERE ?2 > 0
         ON CONFLICT (user_id) DO UPDATE SET read_seq = ?2, delivered_seq = MAX(delivered_seq, ?2) WHERE read_seq < ?2
         RETURNING 1`,
        userId, seq,
      )
      : this.#sql.exec(
        `INSERT INTO members (user_id, delivered_seq) SELECT ?1, ?2 WHERE ?2 > 0
         ON CONFLICT (user_id) DO UPDATE SET delivered_seq = ?2 WHERE delivered_seq < ?2
         RETURNING 1`,
        userId, seq,
      );
    return moved.toArray().length > 0;
  }
}
