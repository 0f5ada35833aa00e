import type { MongoStore } from '../../shared/stores/index.ts';
import type { ChatMessage } from '../../shared/realtime/protocol.ts';

/** A message as archived in MongoDB (see migrations/mongo/0004_chat_archive_and_bus.ts). */
export interface ArchivedMessage {
  roomId: string;
  seq: number;
  /** null (like clientMessageId, with an empty body) once the sender's account was deleted. */
  senderId: string | null;
  clientMessageId: string | null;
  body: string;
  createdAt: Date;
  erased?: true;
}

const COLLECTION = 'chat_messages';

/**
 * Writes a batch once: each message is an upsert on (roomId, seq) that only sets fields on insert,
 * so a batch retried after a partial failure leaves exactly one document per message. An erased
 * message replaces what was archived of it, whichever of the two writes lands last.
 */
export async function archiveBatch(mongo: MongoStore, messages: ChatMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await mongo.collection<ArchivedMessage>(COLLECTION).bulkWrite(
    messages.map((message) => ({
      updateOne: {
        filter: { roomId: message.roomId, seq: message.seq },
        update: message.erased ? { $set: toArchived(message) } : { $setOnInsert: toArchived(message) },
        upsert: true,
      },
    })),
    { ordered: false },
  );
}

/** Archived messages of the room below `before`, newest first. */
export async function archivedBefore(mongo: MongoStore, roomId: string, before: number, limit: number): Promise<ChatMessage[]> {
  const documents = await mongo
    .collection<ArchivedMessage>(COLLECTION)
    .find({ roomId, seq: { $lt: before } }, { sort: { seq: -1 }, limit });
  return documents.map(toChatMessage);
}

/** Archived messages of the room in (after, before), oldest first. */
export async function archivedBetween(mongo: MongoStore, roomId: string, after: number, before: number, limit: number): Promise<ChatMessage[]> {
  const documents = await mongo
    .collection<ArchivedMessage>(COLLECTION)
    .find({ roomId, seq: { $gt: after, $lt: before } }, { sort: { seq: 1 }, limit });
  return documents.map(toChatMessage);
}

/** The rooms the archive holds messages of a sender from. */
export async function roomsWithMessagesFrom(mongo: MongoStore, senderId: string): Promise<string[]> {
  return (await mongo.collection<ArchivedMessage>(COLLECTION).distinct('roomId', { senderId })).map(String);
}

/** A message as the archive holds it. */
export function toArchived(message: ChatMessage): ArchivedMessage {
  return {
    roomId: message.roomId,
    seq: message.seq,
    senderId: message.senderId,
    clientMessageId: message.clientMessageId,
    body: message.text,
    createdAt: new Date(message.sentAt),
    ...(message.erased ? { erased: true as const } : {}),
  };
}

function toChatMessage(document: ArchivedMessage): ChatMessage {
  return {
    roomId: document.roomId,
    seq: document.seq,
    senderId: document.senderId,
    clientMessageId: document.clientMessageId,
    text: document.body,
    sentAt: new Date(document.createdAt).toISOString(),
    ...(document.erased ? { erased: true as const } : {}),
  };
}
