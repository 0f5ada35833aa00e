import { z } from '@hono/zod-openapi';

const uuidParam = (name: string) => z.uuid().openapi({ param: { name, in: 'path' } });
const instant = z.string().openapi({ example: '2030-06-01T18:00:00.000Z' });
const seq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const roomIdParam = z.strictObject({ roomId: uuidParam('roomId') });

export const ticketSchema = z.object({
  ticket: z.string().openapi({ description: 'Single use; pass as ?ticket= on a realtime socket URL' }),
  expiresIn: z.number().int().openapi({ description: 'Seconds until the ticket expires', example: 30 }),
}).openapi('RealtimeTicket');

const ticketParam = z.string().max(100).optional().openapi({ description: 'From POST /api/v1/realtime/tickets (single use, 30 s); or use the bearer subprotocol' });

/** Query of a room socket: the ticket (unless the bearer subprotocol is used) and where to resume. */
export const roomSocketQuery = z.strictObject({
  ticket: ticketParam,
  since: z.string().regex(/^\d{1,16}$/).optional().openapi({ description: 'Resume: replay every message after this seq on connect' }),
});

/** Query of a per-user socket (presence, notifications): the ticket and a device label. */
export const userSocketQuery = z.strictObject({
  ticket: ticketParam,
  device: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().openapi({ description: 'A stable label of this device (presence counts devices)' }),
});

export const directRoomBody = z.strictObject({
  userId: z.uuid().openapi({ description: 'The account to talk to' }),
}).openapi('DirectRoomRequest');

export const roomSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['event', 'dm', 'crew', 'group']),
  subjectId: z.uuid().nullable().openapi({ description: 'The event, crew or group the room belongs to; null for DMs' }),
  title: z.string().nullable().openapi({ description: 'Event title for event rooms, the other username for DMs' }),
  peerId: z.uuid().nullable().openapi({ description: 'DMs: the other participant' }),
  role: z.enum(['owner', 'member']),
  memberCount: z.number().int(),
  joinedAt: instant,
  createdAt: instant,
  socketPath: z.string().openapi({ example: '/api/v1/realtime/rooms/2f0c.../socket' }),
}).openapi('ChatRoom');

export const directRoomSchema = z.object({ id: z.uuid(), kind: z.literal('dm'), peerId: z.uuid(), socketPath: z.string() }).openapi('DirectRoom');

export const roomsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
});

export const roomsPage = z.object({
  items: z.array(roomSchema),
  nextCursor: z.string().nullable(),
}).openapi('ChatRoomsPage');

export const historyQuery = z.strictObject({
  before: seq.optional().openapi({ description: 'Only messages with a smaller sequence number (paging backwards)' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const messageSchema = z.object({
  roomId: z.string(),
  seq: z.number().int(),
  senderId: z.string().nullable().openapi({ description: 'null once the sender deleted their account (the message is then `erased`)' }),
  clientMessageId: z.string().nullable(),
  text: z.string().openapi({ description: 'Empty for an erased message' }),
  sentAt: instant,
  erased: z.literal(true).optional().openapi({ description: 'The sender deleted their account: the message keeps its place, nothing of its content' }),
}).openapi('ChatMessage');

export const historyPageSchema = z.object({
  messages: z.array(messageSchema).openapi({ description: 'Oldest first' }),
  hasMore: z.boolean().openapi({ description: 'Older messages exist: ask again with before = the first seq' }),
}).openapi('ChatHistoryPage');

export type RoomView = z.infer<typeof roomSchema>;
export type RoomsQuery = z.infer<typeof roomsQuery>;
export type HistoryQuery = z.infer<typeof historyQuery>;
