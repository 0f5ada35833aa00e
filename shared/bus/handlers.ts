import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Stores } from '../stores/index.ts';
import type { BusMessage, BusMessageType } from './messages.ts';
import { openRoomOfCreatedEvent, syncRoomOfAttendee } from '../../workers/realtime/bus-handlers.ts';

/** What a handler may use; handlers must be idempotent (a message can arrive more than once). */
export interface BusHandlerContext {
  env: Env;
  config: Config;
  stores: Stores;
  log: Logger;
}

export type BusHandler = (message: BusMessage, context: BusHandlerContext) => Promise<void>;

/** Appends every domain event to the audit trail, keyed by message id so replays add nothing. */
const recordAuditEvent: BusHandler = async (message, { stores }) => {
  await stores.mongo.collection('audit_events').updateOne(
    { messageId: message.id },
    {
      $setOnInsert: {
        messageId: message.id,
        type: message.type,
        payload: message.payload,
        correlationId: message.correlationId,
        occurredAt: new Date(message.occurredAt),
        recordedAt: new Date(),
      },
    },
    { upsert: true },
  );
};

// Services add their handlers here as they arrive (notifications, realtime room membership, ...).
const handlersByType: { [T in BusMessageType]?: BusHandler[] } = {
  'event.created': [openRoomOfCreatedEvent],
  'attendee.registered': [syncRoomOfAttendee],
  'attendee.cancelled': [syncRoomOfAttendee],
};
const handlersForEveryMessage: BusHandler[] = [recordAuditEvent];

/** Every handler that must see a message of this type, in order. */
export function handlersFor(type: BusMessageType): BusHandler[] {
  return [...handlersForEveryMessage, ...(handlersByType[type] ?? [])];
}
