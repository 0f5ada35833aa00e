/**
 * The realtime wire protocol: JSON text frames with a `type`, validated both ways.
 * Client frames are parsed with `parseClientFrame`; server frames are built with `serverFrames`
 * and encoded with `encodeServerFrame`, so every frame a socket sends matches `serverFrameSchema`.
 * A chat room under load may put several server frames in one WebSocket message, one per line
 * (`parseServerFrames`).
 */
import { z } from 'zod';

/** Close codes used by every realtime socket. */
export const closeCodes = {
  normal: 1000,
  policy: 1008,
  frameTooBig: 1009,
  serverError: 1011,
  unauthorized: 4401,
  notMember: 4403,
  idle: 4408,
  rateLimitAbuse: 4429,
} as const;
export type CloseCode = (typeof closeCodes)[keyof typeof closeCodes];

/** The subprotocol a server accepts; a bearer token may ride along as `bearer.<jwt>`. */
export const FLOW_SUBPROTOCOL = 'flow.v1';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
// Lone surrogates would not survive storage unchanged, so text must be well-formed Unicode.
const loneSurrogate = /\p{Cs}/u;
const wellFormed = (value: string) => !loneSurrogate.test(value);
const id = z.string().min(1).max(64).refine(wellFormed, 'must be well-formed Unicode');
const timestamp = z.iso.datetime();
export const presenceStates = ['online', 'away', 'busy'] as const;
const presenceState = z.enum(presenceStates);

// ---------------------------------------------------------------- client -> server
// Strict objects: unknown keys (including `__proto__` given as an own JSON key) are refused.
const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.strictObject({ type: z.literal(type), ...shape });

export const clientFrameSchema = z.discriminatedUnion('type', [
  frame('room:join', { since: seq.optional() }),
  frame('room:leave', {}),
  frame('message:send', { clientMessageId: id, text: z.string().min(1).max(4000).refine(wellFormed, 'must be well-formed Unicode') }),
  frame('message:delivered', { seq }),
  frame('message:read', { seq }),
  frame('typing:start', {}),
  frame('typing:stop', {}),
  frame('history:get', { before: seq.optional(), limit: z.number().int().min(1).max(100) }),
  frame('presence:set', { state: presenceState }),
  frame('ping', {}),
  // Notification channel: mark some (or all) notifications of the caller's inbox read.
  frame('inbox:read', { ids: z.union([z.array(id).min(1).max(100), z.literal('all')]) }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientFrameType = ClientFrame['type'];

/** Error codes carried by `error` frames. */
export const errorCodes = [
  'frame_too_big',
  'invalid_frame',
  'rate_limited',
  'not_joined',
  'seq_out_of_range',
  'unsupported',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export type ParsedClientFrame =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: Extract<ErrorCode, 'frame_too_big' | 'invalid_frame'>; message: string };

const utf8 = new TextEncoder();

/** Size in UTF-8 bytes, without encoding strings that are clearly small enough. */
function byteLength(raw: string | ArrayBuffer, maxBytes: number): number {
  if (typeof raw !== 'string') return raw.byteLength;
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (raw.length * 3 <= maxBytes) return raw.length;
  return utf8.encode(raw).byteLength;
}

/** Checks size, then JSON, then the schema; never throws. Binary frames are refused. */
export function parseClientFrame(raw: string | ArrayBuffer, maxBytes: number): ParsedClientFrame {
  if (byteLength(raw, maxBytes) > maxBytes) {
    return { ok: false, code: 'frame_too_big', message: `Frames are limited to ${maxBytes} bytes` };
  }
  if (typeof raw !== 'string') return { ok: false, code: 'invalid_frame', message: 'Frames must be JSON text' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: 'invalid_frame', message: 'Frame is not valid JSON' };
  }
  const parsed = clientFrameSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, code: 'invalid_frame', message: `Invalid frame${where}: ${issue?.message ?? 'unknown'}` };
  }
  return { ok: true, frame: parsed.data };
}

// ---------------------------------------------------------------- server -> client
export const memberCursorSchema = z.strictObject({ userId: id, readSeq: seq, deliveredSeq: seq });
export const chatMessageSchema = z.strictObject({
  roomId: id,
  seq,
  // null, like clientMessageId, with empty text and `erased`, once the sender's account was
  // deleted: the message keeps its place in the sequence (no gaps) and nothing of its sender.
  senderId: id.nullable(),
  clientMessageId: id.nullable(),
  text: z.string(),
  sentAt: timestamp,
  erased: z.literal(true).optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export const notificationSchema = z.strictObject({
  id,
  kind: z.string().min(1).max(64),
  title: z.string().max(500),
  body: z.string().max(4000).optional(),
  link: z.string().max(2000).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  createdAt: timestamp,
});
export type Notification = z.infer<typeof notificationSchema>;

export const serverFrameSchema = z.discriminatedUnion('type', [
  frame('room:joined', { roomId: id, lastSeq: seq, members: z.array(memberCursorSchema) }),
  frame('message:ack', { clientMessageId: id, seq, duplicate: z.boolean() }),
  z.strictObject({ type: z.literal('message:received'), ...chatMessageSchema.shape }),
  frame('receipt:delivered', { userId: id, seq }),
  frame('receipt:read', { userId: id, seq }),
  frame('unread', { count: z.number().int().min(0) }),
  frame('typing', { userId: id, active: z.boolean(), expiresAt: timestamp.optional() }),
  frame('history', { messages: z.array(chatMessageSchema), hasMore: z.boolean() }),
  // Every message of this user was erased (their account was deleted): show them as erased.
  frame('messages:erased', { userId: id }),
  frame('presence', { userId: id, state: z.enum([...presenceStates, 'offline']), lastSeenAt: timestamp.nullable() }),
  frame('notification:new', { notification: notificationSchema }),
  frame('inbox:unread', { count: z.number().int().min(0) }),
  frame('pong', {}),
  frame('error', { code: z.enum(errorCodes), message: z.string(), ref: z.string().optional(), retryAfterMs: z.number().int().min(0).optional() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
type FrameOf<T extends ServerFrame['type']> = Omit<Extract<ServerFrame, { type: T }>, 'type'>;

/** Typed builders: the compiler checks every outgoing frame against the schema's shape. */
export const serverFrames = {
  roomJoined: (body: FrameOf<'room:joined'>) => ({ type: 'room:joined', ...body }) satisfies ServerFrame,
  messageAck: (body: FrameOf<'message:ack'>) => ({ type: 'message:ack', ...body }) satisfies ServerFrame,
  messageReceived: (message: ChatMessage) => ({ type: 'message:received', ...message }) satisfies ServerFrame,
  receiptDelivered: (body: FrameOf<'receipt:delivered'>) => ({ type: 'receipt:delivered', ...body }) satisfies ServerFrame,
  receiptRead: (body: FrameOf<'receipt:read'>) => ({ type: 'receipt:read', ...body }) satisfies ServerFrame,
  unread: (count: number) => ({ type: 'unread', count }) satisfies ServerFrame,
  typing: (body: FrameOf<'typing'>) => ({ type: 'typing', ...body }) satisfies ServerFrame,
  history: (body: FrameOf<'history'>) => ({ type: 'history', ...body }) satisfies ServerFrame,
  messagesErased: (userId: string) => ({ type: 'messages:erased', userId }) satisfies ServerFrame,
  presence: (body: FrameOf<'presence'>) => ({ type: 'presence', ...body }) satisfies ServerFrame,
  notificationNew: (notification: Notification) => ({ type: 'notification:new', notification }) satisfies ServerFrame,
  inboxUnread: (count: number) => ({ type: 'inbox:unread', count }) satisfies ServerFrame,
  pong: () => ({ type: 'pong' }) satisfies ServerFrame,
  error: (body: FrameOf<'error'>) => ({ type: 'error', ...body }) satisfies ServerFrame,
};

/** The exact text a server sends for the protocol's `ping`, usable as a WebSocket auto-response. */
export const PING_FRAME = JSON.stringify({ type: 'ping' });
export const PONG_FRAME = JSON.stringify(serverFrames.pong());

export function encodeServerFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/**
 * Separates frames that a busy server coalesced into one WebSocket message. Encoded JSON never
 * holds a raw newline (one inside a string is written as a backslash and n), so splitting on it is exact.
 */
export const FRAME_SEPARATOR = '\n';

/** For clients and tests: parses a server frame, throwing on anything off-protocol. */
export function parseServerFrame(raw: string): ServerFrame {
  return serverFrameSchema.parse(JSON.parse(raw));
}

/** For clients and tests: every frame of one WebSocket message, in order. */
export function parseServerFrames(message: string): ServerFrame[] {
  return message.split(FRAME_SEPARATOR).map(parseServerFrame);
}
