import type { PostgresTransaction } from '../../../shared/stores/index.ts';

/** The key that makes a DM room unique per pair, whoever opens it: "<smaller id>:<larger id>". */
export function dmKey(a: string, b: string): string {
  const [first, second] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `${first}:${second}`;
}

/** Whether an account exists and can be talked to (not disabled or deleted). */
export async function activeAccountExists(tx: PostgresTransaction, accountId: string): Promise<boolean> {
  const rows = await tx.query(`select 1 from accounts where id = $1 and status = 'active'`, [accountId]);
  return rows.length > 0;
}

/**
 * The DM room of a pair, created with both members if it does not exist. Parallel calls meet at
 * the unique dm_key: the INSERT of the second waits for the first to commit and then does
 * nothing, and the SELECT that follows (a fresh snapshot under READ COMMITTED) finds the room.
 */
export async function findOrCreateDirectRoom(tx: PostgresTransaction, a: string, b: string): Promise<{ id: string; created: boolean }> {
  const key = dmKey(a, b);
  const [inserted] = await tx.query<{ id: string }>(
    `insert into chat_rooms (kind, dm_key) values ('dm', $1) on conflict (dm_key) do nothing returning id`,
    [key],
  );
  const id = inserted?.id ?? (await tx.query<{ id: string }>(`select id from chat_rooms where dm_key = $1`, [key]))[0]?.id;
  if (!id) throw new Error('direct room vanished between insert and select');
  await tx.query(
    `insert into chat_room_members (room_id, account_id) values ($1, $2), ($1, $3) on conflict (room_id, account_id) do nothing`,
    [id, a, b],
  );
  return { id, created: inserted !== undefined };
}
