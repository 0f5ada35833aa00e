// 0004: indexes of the archived chat log and of the event-bus bookkeeping collections
// (dead_letters, bus_processed).
import type { Db } from 'mongodb';

export async function up(db: Db): Promise<void> {
  // chat_messages (archive written behind by the ChatRoom Durable Object):
  //   { roomId, seq (gap-free per room), senderId, clientMessageId, body, attachments?,
  //     createdAt, editedAt?, deletedAt? }
  await db.collection('chat_messages').createIndexes([
    // A message is archived once: batches re-sent after a failure upsert on (roomId, seq),
    // and history pages are ranges of seq.
    { key: { roomId: 1, seq: 1 }, name: 'room_seq_unique', unique: true },
    // A user's messages (export, deletion).
    { key: { senderId: 1, createdAt: -1 }, name: 'sender_created' },
  ]);

  // dead_letters: queue messages that exhausted their retries.
  //   { queue, messageId, type, body, attempts, lastError, correlationId,
  //     status: 'open' | 'replayed' | 'discarded', createdAt, expiresAt }
  await db.collection('dead_letters').createIndexes([
    { key: { status: 1, createdAt: -1 }, name: 'status_created' },
    { key: { queue: 1, createdAt: -1 }, name: 'queue_created' },
    { key: { messageId: 1 }, name: 'message' },
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ]);

  // bus_processed: idempotency markers of consumed queue messages.
  //   { consumer, messageId, processedAt, expiresAt }
  // A consumer inserts its marker; a duplicate key means the message was already handled.
  // Markers only need to outlive the queue's redelivery window, so they expire.
  await db.collection('bus_processed').createIndexes([
    { key: { consumer: 1, messageId: 1 }, name: 'consumer_message_unique', unique: true },
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ]);
}
