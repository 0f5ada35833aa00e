import { describeError, type Logger } from '../../shared/logger.ts';
import { presenceSnapshotKey, snapshotTtlSeconds, type PresenceSnapshot, type PresenceState } from '../../shared/realtime/presence-snapshot.ts';
import type { Stores } from '../../shared/stores/index.ts';

/** A user's presence as everyone else is told it. */
export interface PresenceChange extends PresenceSnapshot {
  userId: string;
}

/** What a Presence object needs to reach the user's peers and rooms (typed here, bound by the Worker). */
export interface PresenceTargets {
  peer(userId: string): { peerChanged(change: PresenceChange): Promise<void> };
  room(roomId: string): { presenceChanged(userId: string, state: PresenceState, lastSeenAt: string | null): Promise<unknown> };
}

// Enough to overlap round trips without letting one popular user open hundreds of calls at once.
const PARALLEL_CALLS = 8;
const MAX_PEERS = 5_000;
const MAX_ROOMS = 1_000;

/** Runs `task` over `items`, at most `limit` at a time; failures are reported, never thrown. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>, onError: (item: T, error: unknown) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        onError(item, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function writeSnapshot(stores: Stores, change: PresenceChange, timeoutSeconds: number): Promise<void> {
  const snapshot: PresenceSnapshot = { state: change.state, lastSeenAt: change.lastSeenAt };
  await stores.redis.run((redis) => redis.set(presenceSnapshotKey(change.userId), snapshot, { ex: snapshotTtlSeconds(snapshot, timeoutSeconds) }));
}

/** The other side of each accepted connection of `userId`. */
export async function acceptedPeers(stores: Stores, userId: string): Promise<string[]> {
  const rows = await stores.postgres.query<{ peer: string }>(
    `SELECT CASE WHEN requester_id = $1 THEN addressee_id ELSE requester_id END AS peer
       FROM connections WHERE status = 'accepted' AND (requester_id = $1 OR addressee_id = $1) LIMIT ${MAX_PEERS}`,
    [userId],
  );
  return rows.map((row) => row.peer);
}

export async function roomsOf(stores: Stores, userId: string): Promise<string[]> {
  const rows = await stores.postgres.query<{ room_id: string }>(
    `SELECT room_id FROM chat_room_members WHERE account_id = $1 ORDER BY joined_at DESC LIMIT ${MAX_ROOMS}`,
    [userId],
  );
  return rows.map((row) => row.room_id);
}

/**
 * Tells a change to everyone outside the user's own sockets: the Redis snapshot first (the batch
 * query reads it), then each accepted connection's Presence object and each room the user is in.
 * Meant for ctx.waitUntil: a slow store or peer never holds up the socket that caused the change.
 */
export async function fanOutPresence(stores: Stores, targets: PresenceTargets, change: PresenceChange, timeoutSeconds: number, log: Logger): Promise<void> {
  const report = (what: string) => (target: string, error: unknown) => log.warn(`presence fan-out to ${what} failed`, { target, userId: change.userId, ...describeError(error) });
  await writeSnapshot(stores, change, timeoutSeconds).catch((error) => report('snapshot')(change.userId, error));
  const [peers, rooms] = await Promise.all([
    acceptedPeers(stores, change.userId).catch((error) => (report('peers')(change.userId, error), [] as string[])),
    roomsOf(stores, change.userId).catch((error) => (report('rooms')(change.userId, error), [] as string[])),
  ]);
  await Promise.all([
    forEachLimited(peers, PARALLEL_CALLS, (peer) => targets.peer(peer).peerChanged(change), report('peer')),
    forEachLimited(rooms, PARALLEL_CALLS, (roomId) => targets.room(roomId).presenceChanged(change.userId, change.state, change.lastSeenAt), report('room')),
  ]);
}
