import { presenceSnapshotKey } from '../../../shared/realtime/presence-snapshot.ts';
import type { Postgres, PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { deleteEventRooms, roomsEverJoined } from '../repo/rooms.ts';
import { chatRoomStub } from './room-objects.ts';

/** Rooms told at once: deletion is rare, and a burst to hundreds of rooms gains little. */
const ROOMS_AT_ONCE = 8;

/** The rooms whose logs may hold the account's messages; read while its row still exists. */
export function roomsOfDepartingAccount(db: Postgres | PostgresTransaction, accountId: string): Promise<string[]> {
  return roomsEverJoined(db, accountId);
}

/** In the deletion's transaction: the rooms of the events deleted with their organizer go too. */
export function closeRoomsOfDeletedEvents(tx: PostgresTransaction, eventIds: string[]): Promise<void> {
  return deleteEventRooms(tx, eventIds);
}

/**
 * Erases what the realtime side holds of an account being deleted: its messages and cursors in
 * `roomIds` (every room it was ever in), its notifications, its presence and presence snapshot;
 * its open sockets close. Idempotent, so the deletion runs it before the account's row goes and
 * again after, for what the account's last in-flight messages added meanwhile.
 */
export async function eraseFromRealtime(stores: Stores, env: Env, accountId: string, roomIds: string[]): Promise<void> {
  for (let start = 0; start < roomIds.length; start += ROOMS_AT_ONCE) {
    await Promise.all(roomIds.slice(start, start + ROOMS_AT_ONCE).map((roomId) => chatRoomStub(env, roomId).eraseMember(accountId)));
  }
  await env.INBOX.get(env.INBOX.idFromName(accountId)).forget();
  await env.PRESENCE.get(env.PRESENCE.idFromName(accountId)).forget();
  await stores.redis.run((redis) => redis.del(presenceSnapshotKey(accountId)));
}
