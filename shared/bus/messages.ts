import { z } from 'zod';

const id = z.string().min(1).max(64);
const isoTime = z.iso.datetime({ offset: true });
// An event's organizer; null once they deleted their account (events others took part in stay).
const organizer = id.nullable();

/**
 * Every message the event bus carries, by type. Producers and consumers share these schemas,
 * so a message that does not match is rejected when sent and dead-lettered when received.
 */
export const busPayloads = {
  'user.registered': z.strictObject({ userId: id, email: z.email(), username: z.string().max(64) }),
  'user.deleted': z.strictObject({ userId: id }),
  'security.alert': z.strictObject({
    userId: id,
    kind: z.enum(['account_locked', 'password_changed', 'refresh_token_reuse', 'two_factor_changed', 'new_device_login']),
    ip: z.string().max(64).optional(),
    userAgent: z.string().max(512).optional(),
  }),
  'event.created': z.strictObject({ eventId: id, organizerId: organizer, title: z.string().max(200), startsAt: isoTime }),
  'event.updated': z.strictObject({ eventId: id, organizerId: organizer, changed: z.array(z.string().max(64)).max(64) }),
  'event.cancelled': z.strictObject({ eventId: id, organizerId: organizer, reason: z.string().max(1000).optional() }),
  'attendee.registered': z.strictObject({ eventId: id, userId: id, registrationId: id, quantity: z.number().int().min(1) }),
  'attendee.cancelled': z.strictObject({ eventId: id, userId: id, registrationId: id }),
  'event.invitation': z.strictObject({ eventId: id, inviteeId: id, invitedBy: id, title: z.string().max(200) }),
  'waitlist.offered': z.strictObject({ eventId: id, userId: id, entryId: id, expiresAt: isoTime }),
  'connection.requested': z.strictObject({ connectionId: id, requesterId: id, addresseeId: id }),
  'connection.accepted': z.strictObject({ connectionId: id, requesterId: id, addresseeId: id }),
} as const;

export type BusMessageType = keyof typeof busPayloads;
export type BusPayload<T extends BusMessageType> = z.infer<(typeof busPayloads)[T]>;

const envelopeFields = {
  id: z.uuid(),
  occurredAt: isoTime,
  correlationId: z.string().max(128),
};

const envelopes = (Object.keys(busPayloads) as BusMessageType[]).map((type) =>
  z.strictObject({ ...envelopeFields, type: z.literal(type), payload: busPayloads[type] }),
);

/** A message as it travels on the queue: the payload wrapped with id, time and correlation id. */
export const busMessageSchema = z.discriminatedUnion('type', envelopes as unknown as [typeof envelopes[number], ...typeof envelopes]);

export type BusMessage = { [T in BusMessageType]: { id: string; occurredAt: string; correlationId: string; type: T; payload: BusPayload<T> } }[BusMessageType];
