import { roomsWithMessagesFrom, toArchived, type ArchivedMessage } from '../../../durable-objects/chat-room/archive.ts';
import { presenceSnapshotKey } from '../../../shared/realtime/presence-snapshot.ts';
import type { PostgresTransaction, Stores } from '../../../shared/stores/index.ts';
import { deleteEventRooms, roomsEverJoined } from '../repo/rooms.ts';
import { chatRoomStub } from './room-objects.ts';

/** Rooms asked at once: exports and deletions are rare, and a burst to hundreds of rooms gains little. */
const ROOMS_AT_ONCE = 8;

/**
 * The rooms whose logs may hold the account's messages: those it is or was in, and those the
 * archive holds messages of it from (rooms left before leaving was recorded, in 0018).
 */
export async function roomsOfAccount(stores: Stores, accountId: string): Promise<string[]> {
  const [joined, archived] = await Promise.all([
    roomsEverJoined(stores.postgres, accountId),
    roomsWithMessagesFrom(stores.mongo, accountId),
  ]);
  return [...new Set([...joined, ...archived])];
}

/**
 * In the deletion's transaction, under the account lock: returns the rooms the account is or was
 * in now (a room joined since the first sweep is swept after the commit), and deletes the rooms
 * of the events deleted with it.
 */
export async function releaseRoomsOf(tx: PostgresTransaction, accountId: string, deletedEventIds: string[]): Promise<string[]> {
  const rooms = await roomsEverJoined(tx, accountId);
  await deleteEventRooms(tx, deletedEventIds);
  return rooms;
}

/**
 * For the export: the account's messages that the rooms hold but the MongoDB archive does not
 * have yet (written behind within seconds, later while MongoDB is down), in the archive's shape.
 */
export async function unarchivedMessagesOf(stores: Stores, env: Env, accountId: string, limit: number): Promise<ArchivedMessage[]> {
  const rooms = await roomsOfAccount(stores, accountId);
  const pages = await askRooms(rooms, (roomId) => chatRoomStub(env, roomId).unarchivedMessagesOf(accountId, limit));
  return pages.flat().slice(0, limit).map(toArchived);
}

/**
 * Erases what the realtime side holds of an account being deleted: its messages and cursors in
 * `roomIds` (every room it was ever in), its notifications, its presence and presence snapshot;
 * its open sockets close. Idempotent, so the deletion runs it before the account's row goes and
 * again after, for what the account's last in-flight messages added meanwhile.
 */
export async function eraseFromRealtime(stores: Stores, env: Env, accountId: string, roomIds: string[]): Promise<void> {
  await askRooms(roomIds, (roomId) => chatRoomStub(env, roomId).eraseMember(accountId));
  await env.INBOX.get(env.INBOX.idFromName(accountId)).forget();
  await env.PRESENCE.get(env.PRESENCE.idFromName(accountId)).forget();
  await stores.redis.run((redis) => redis.del(presenceSnapshotKey(accountId)));
}

/** Asks each room, ROOMS_AT_ONCE at a time; the answers in the rooms' order. */
async function askRooms<T>(roomIds: string[], ask: (roomId: string) => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  for (let start = 0; start < roomIds.length; start += ROOMS_AT_ONCE) {
    answers.push(...(await Promise.all(roomIds.slice(start, start + ROOMS_AT_ONCE).map(ask))));
  }
  return answers;
}
