import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

export type RoomKind = 'event' | 'dm' | 'crew' | 'group';
export type MemberRole = 'owner' | 'member';

/** A room and the asking account's place in it (role null: not a member). */
export interface RoomAccessRow {
  id: string;
  kind: RoomKind;
  role: MemberRole | null;
}

/** A room as listed for one of its members. */
export interface MyRoomRow {
  id: string;
  kind: RoomKind;
  subject_id: string | null;
  created_at: Date;
  role: MemberRole;
  joined_at: Date;
  member_count: number;
  event_title: string | null;
  peer_id: string | null;
  peer_username: string | null;
}

/** The room and whether `accountId` is in it; null when there is no such room. */
export async function findRoomAccess(db: Db, roomId: string, accountId: string): Promise<RoomAccessRow | null> {
  const [row] = await db.query<RoomAccessRow>(
    `select r.id, r.kind, m.role
       from chat_rooms r
       left join chat_room_members m on m.room_id = r.id and m.account_id = $2
      where r.id = $1`,
    [roomId, accountId],
  );
  return row ?? null;
}

/** Keyset position of the rooms list: after this (joined_at to the millisecond, as cursors carry it; room id), newest first. */
export interface RoomsPosition {
  joinedAt: Date;
  roomId: string;
}

/** The rooms `accountId` belongs to, most recently joined first; DM rooms name the other person. */
export async function listRoomsOf(db: Db, accountId: string, limit: number, after: RoomsPosition | null): Promise<MyRoomRow[]> {
  return db.query<MyRoomRow>(
    `select r.id, r.kind, r.subject_id, r.created_at, m.role, m.joined_at,
            (select count(*)::int from chat_room_members c where c.room_id = r.id) as member_count,
            e.title as event_title, peer.account_id as peer_id, pa.username as peer_username
       from chat_room_members m
       join chat_rooms r on r.id = m.room_id
       left join events e on r.kind = 'event' and e.id = r.subject_id
       left join chat_room_members peer on r.kind = 'dm' and peer.room_id = r.id and peer.account_id <> m.account_id
       left join accounts pa on pa.id = peer.account_id
      where m.account_id = $1
        and ($3::timestamptz is null or (date_trunc('milliseconds', m.joined_at), m.room_id) < ($3::timestamptz, $4::uuid))
      order by date_trunc('milliseconds', m.joined_at) desc, m.room_id desc
      limit $2`,
    [accountId, limit, after?.joinedAt ?? null, after?.roomId ?? null],
  );
}

/** Creates an event's room (id = event id) unless it exists, with the organizer (if any left) as owner. */
export async function ensureEventRoom(db: Db, eventId: string, organizerId: string | null): Promise<void> {
  await db.query(`insert into chat_rooms (id, kind, subject_id) values ($1, 'event', $1) on conflict (id) do nothing`, [eventId]);
  if (organizerId === null) return;
  await db.query(
    `insert into chat_room_members (room_id, account_id, role) values ($1, $2, 'owner')
       on conflict (room_id, account_id) do update set role = 'owner'`,
    [eventId, organizerId],
  );
}

/** Adds a member (no-op when already one); true when the row is new. */
export async function insertMember(db: Db, roomId: string, accountId: string): Promise<boolean> {
  const rows = await db.query(
    `insert into chat_room_members (room_id, account_id) values ($1, $2) on conflict (room_id, account_id) do nothing returning room_id`,
    [roomId, accountId],
  );
  return rows.length > 0;
}

/**
 * Removes a plain member; owners stay (an organizer who cancels a seat still runs the room).
 * The room is remembered among the account's past rooms: its messages stay in the log.
 */
export async function deleteMember(db: Db, roomId: string, accountId: string): Promise<boolean> {
  const rows = await db.query(
    `with gone as (
       delete from chat_room_members where room_id = $1 and account_id = $2 and role <> 'owner' returning room_id, account_id
     ), remembered as (
       insert into chat_room_past_members (room_id, account_id) select room_id, account_id from gone
       on conflict (account_id, room_id) do update set left_at = now()
     )
     select room_id from gone`,
    [roomId, accountId],
  );
  return rows.length > 0;
}

/** Every room the account is in or has been in: where its messages may be. */
export async function roomsEverJoined(db: Db, accountId: string): Promise<string[]> {
  const rows = await db.query<{ room_id: string }>(
    `select room_id from chat_room_members where account_id = $1
     union
     select room_id from chat_room_past_members where account_id = $1`,
    [accountId],
  );
  return rows.map((row) => row.room_id);
}

/** Deletes the rooms of events that were deleted (a room row has no foreign key to its subject). */
export async function deleteEventRooms(db: Db, eventIds: string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await db.query(`delete from chat_rooms where kind = 'event' and id = any($1::uuid[])`, [eventIds]);
}

/** Whether `accountId` is a member of room `roomId`, any role. */
export async function isMember(db: Db, roomId: string, accountId: string): Promise<boolean> {
  const rows = await db.query(`select 1 from chat_room_members where room_id = $1 and account_id = $2`, [roomId, accountId]);
  return rows.length > 0;
}

/**
 * Serializes membership changes of one account in one room for the rest of the transaction, so
 * two bus messages about the same person (registered, then cancelled) apply in commit order.
 */
export async function lockMembership(tx: PostgresTransaction, roomId: string, accountId: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtextextended($1, 0))`, [`chat-room-member:${roomId}:${accountId}`]);
}
