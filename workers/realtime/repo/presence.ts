import { presenceSnapshotKey, type PresenceSnapshot, type PresenceState } from '../../../shared/realtime/presence-snapshot.ts';
import type { Postgres, RedisStore } from '../../../shared/stores/index.ts';

const states: readonly PresenceState[] = ['online', 'away', 'busy', 'offline'];

/**
 * Which of `ids` the caller may see: themselves, their accepted connections and people sharing a
 * chat room with them, unless either blocked the other.
 */
export async function visibleTo(postgres: Postgres, callerId: string, ids: readonly string[]): Promise<Set<string>> {
  const rows = await postgres.query<{ id: string }>(
    `SELECT u.id FROM unnest($2::uuid[]) AS u (id)
      WHERE u.id = $1
         OR ((EXISTS (SELECT 1 FROM connections c
                       WHERE c.status = 'accepted'
                         AND ((c.requester_id = $1 AND c.addressee_id = u.id) OR (c.addressee_id = $1 AND c.requester_id = u.id)))
              OR EXISTS (SELECT 1 FROM chat_room_members mine
                           JOIN chat_room_members theirs ON theirs.room_id = mine.room_id
                          WHERE mine.account_id = $1 AND theirs.account_id = u.id))
             AND NOT EXISTS (SELECT 1 FROM blocks b
                              WHERE (b.blocker_id = $1 AND b.blocked_id = u.id) OR (b.blocker_id = u.id AND b.blocked_id = $1)))`,
    [callerId, ids],
  );
  return new Set(rows.map((row) => row.id));
}

const asSnapshot = (value: unknown): PresenceSnapshot | null => {
  if (typeof value !== 'object' || value === null) return null;
  const { state, lastSeenAt } = value as Record<string, unknown>;
  if (!states.includes(state as PresenceState)) return null;
  return { state: state as PresenceState, lastSeenAt: typeof lastSeenAt === 'string' ? lastSeenAt : null };
};

/** The stored snapshots of `ids` in one MGET; a missing or malformed one is null. */
export async function readSnapshots(redis: RedisStore, ids: readonly string[]): Promise<Map<string, PresenceSnapshot | null>> {
  if (ids.length === 0) return new Map();
  const values = await redis.run((client) => client.mget<unknown[]>(...ids.map(presenceSnapshotKey)));
  return new Map(ids.map((id, index) => [id, asSnapshot(values[index])]));
}
