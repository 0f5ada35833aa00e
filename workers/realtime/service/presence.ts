import type { PresenceState } from '../../../shared/realtime/presence-snapshot.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { readSnapshots, visibleTo } from '../repo/presence.ts';

export interface PresenceEntry {
  userId: string;
  state: PresenceState;
  lastSeenAt: string | null;
}

/**
 * Presence of up to 100 users as the caller may see it. People the caller may not see read exactly
 * like someone never seen (offline, no last-seen time), so the answer does not reveal who hides.
 * Read from the Redis snapshots the Presence objects keep, so no object is woken.
 */
export async function presenceFor(stores: Stores, callerId: string, ids: readonly string[]): Promise<PresenceEntry[]> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  const visible = await visibleTo(stores.postgres, callerId, unique);
  const snapshots = await readSnapshots(stores.redis, unique.filter((id) => visible.has(id)));
  return unique.map((userId) => {
    const snapshot = snapshots.get(userId) ?? null;
    return { userId, state: snapshot?.state ?? 'offline', lastSeenAt: snapshot?.lastSeenAt ?? null };
  });
}
