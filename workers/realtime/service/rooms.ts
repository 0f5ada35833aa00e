import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { cursorPart, decodePageCursor, encodePageCursor } from '../../events/service/page-cursor.ts';
import { activeAccountExists, findOrCreateDirectRoom } from '../repo/direct-rooms.ts';
import { findRoomAccess, listRoomsOf, type MyRoomRow, type RoomAccessRow } from '../repo/rooms.ts';
import type { HistoryQuery, RoomsQuery, RoomView } from '../schemas.ts';
import { chatRoomStub, type HistoryPage } from './room-objects.ts';

export const socketPathOf = (roomId: string) => `/api/v1/realtime/rooms/${roomId}/socket`;

/** The room, if `userId` may be in it: 404 when there is no such room, 403 when not a member. */
export async function requireMembership(stores: Stores, roomId: string, userId: string): Promise<RoomAccessRow> {
  const access = await findRoomAccess(stores.postgres, roomId, userId);
  if (!access) throw new AppError('not_found', 'There is no such room.');
  if (!access.role) throw new AppError('forbidden', 'You are not a member of this room.');
  return access;
}

export interface DirectRoom {
  id: string;
  kind: 'dm';
  peerId: string;
  socketPath: string;
  created: boolean;
}

/**
 * The caller's direct-message room with another account, created on first use. Both are told
 * to the room object every time (idempotent there), so a call that failed after the commit is
 * repaired by the client's retry.
 */
export async function openDirectRoom(stores: Stores, env: Env, auth: AuthContext, peerId: string): Promise<DirectRoom> {
  if (peerId.toLowerCase() === auth.userId.toLowerCase()) {
    throw new AppError('validation_failed', 'A direct room needs another person.', { extensions: { errors: [{ in: 'json', path: 'userId', message: 'Cannot be yourself' }] } });
  }
  const room = await stores.postgres.transaction(async (tx) => {
    if (!(await activeAccountExists(tx, peerId))) throw new AppError('not_found', 'There is no such user.');
    return findOrCreateDirectRoom(tx, auth.userId, peerId);
  });
  const stub = chatRoomStub(env, room.id);
  await Promise.all([stub.addMember(auth.userId), stub.addMember(peerId)]);
  return { id: room.id, kind: 'dm', peerId, socketPath: socketPathOf(room.id), created: room.created };
}

function roomView(row: MyRoomRow): RoomView {
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    title: row.kind === 'event' ? row.event_title : row.kind === 'dm' ? row.peer_username : null,
    peerId: row.peer_id,
    role: row.role,
    memberCount: row.member_count,
    joinedAt: row.joined_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    socketPath: socketPathOf(row.id),
  };
}

/**
 * The caller's rooms, most recently joined first, cursor-paginated. Unread counts live in each
 * room's object and are not gathered here (that would wake every room of the user); a room's
 * socket sends its count on join.
 */
export async function myRooms(stores: Stores, userId: string, query: RoomsQuery): Promise<{ items: RoomView[]; nextCursor: string | null }> {
  const after = query.cursor ? decodePageCursor(query.cursor, [cursorPart.isoTime, cursorPart.uuid]) : null;
  const rows = await listRoomsOf(stores.postgres, userId, query.limit + 1, after ? { joinedAt: new Date(after[0] as string), roomId: after[1] as string } : null);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(roomView),
    nextCursor: rows.length > query.limit && last ? encodePageCursor([last.joined_at.toISOString(), last.id]) : null,
  };
}

/** A page of a room's log for one of its members, from the room object. */
export async function roomHistory(stores: Stores, env: Env, userId: string, roomId: string, query: HistoryQuery): Promise<HistoryPage> {
  await requireMembership(stores, roomId, userId);
  const page = await chatRoomStub(env, roomId).history(userId, { ...(query.before !== undefined ? { before: query.before } : {}), limit: query.limit });
  return { messages: page.messages, hasMore: page.hasMore };
}
