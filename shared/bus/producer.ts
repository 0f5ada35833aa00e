import { isoNow } from '../clock.ts';
import { AppError } from '../errors.ts';
import { busMessageSchema, type BusMessage, type BusMessageType, type BusPayload } from './messages.ts';

/** Where a message comes from: the queue binding and the correlation id of the work that sent it. */
export interface BusProducerContext {
  queue: Queue;
  correlationId: string;
}

/** Builds a validated envelope; a payload that breaks its schema is a programming error (500). */
export function buildBusMessage<T extends BusMessageType>(type: T, payload: BusPayload<T>, correlationId: string): BusMessage {
  const candidate = { id: crypto.randomUUID(), occurredAt: isoNow(), correlationId, type, payload };
  const checked = busMessageSchema.safeParse(candidate);
  if (!checked.success) {
    throw new AppError('internal', `Invalid ${type} message`, { cause: checked.error });
  }
  return checked.data as BusMessage;
}

/** Publishes one message on the event bus, stamped with the caller's correlation id. */
export async function publish<T extends BusMessageType>(context: BusProducerContext, type: T, payload: BusPayload<T>): Promise<BusMessage> {
  const message = buildBusMessage(type, payload, context.correlationId);
  await context.queue.send(message, { contentType: 'json' });
  return message;
}
