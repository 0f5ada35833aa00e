import { z } from '@hono/zod-openapi';
import { recurrenceRuleSchema } from './recurrence/rule.ts';

export const eventTypes = ['in_person', 'virtual', 'hybrid'] as const;
export const eventStatuses = ['draft', 'published', 'cancelled', 'completed'] as const;
const visibilities = ['public', 'unlisted', 'private'] as const;
const virtualProviders = ['zoom', 'teams', 'meet', 'webex', 'other'] as const;

export const idParam = z.strictObject({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const isoInstant = z.iso.datetime({ offset: true }).openapi({ example: '2026-06-01T19:00:00+02:00' });
const httpsUrl = z.url({ protocol: /^https$/ }).max(2048);

/** An IANA zone the runtime knows ('Europe/Rome'); recurrence and .ics output depend on it. */
export const timezoneSchema = z.string().min(1).max(64).refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/Rome').openapi({ example: 'Europe/Rome' });

export const pointSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
}).openapi('GeoPoint');

// The recurrence module's rule schema mirrors flow_valid_recurrence, so a bad rule is a 400, not a 500.
const recurrenceSchema = recurrenceRuleSchema;

const eventFields = {
  title: z.string().trim().min(1).max(200),
  summary: z.string().max(500).nullable(),
  description: z.string().max(20000).nullable(),
  categoryId: z.uuid().nullable(),
  type: z.enum(eventTypes),
  visibility: z.enum(visibilities),
  venueId: z.uuid().nullable().openapi({ description: 'When set without a location, the venue\'s point and address are used' }),
  location: pointSchema.nullable(),
  address: z.string().max(500).nullable(),
  startsAt: isoInstant,
  endsAt: isoInstant,
  timezone: timezoneSchema,
  recurrence: recurrenceSchema.nullable(),
  virtualProvider: z.enum(virtualProviders).nullable(),
  virtualUrl: httpsUrl.nullable(),
  imageUrl: httpsUrl.nullable(),
  capacity: z.number().int().min(1).max(1_000_000).nullable(),
  tags: z.array(z.string().min(1).max(80)).max(20),
};

export const createEventBody = z.strictObject({
  ...eventFields,
  summary: eventFields.summary.optional(),
  description: eventFields.description.optional(),
  categoryId: eventFields.categoryId.optional(),
  type: eventFields.type.default('in_person'),
  visibility: eventFields.visibility.default('public'),
  venueId: eventFields.venueId.optional(),
  location: eventFields.location.optional(),
  address: eventFields.address.optional(),
  recurrence: eventFields.recurrence.optional(),
  virtualProvider: eventFields.virtualProvider.optional(),
  virtualUrl: eventFields.virtualUrl.optional(),
  imageUrl: eventFields.imageUrl.optional(),
  capacity: eventFields.capacity.optional(),
  tags: eventFields.tags.default([]),
  status: z.enum(['draft', 'published']).default('draft').openapi({ description: 'Publish at once, or keep as a draft only the organizer sees' }),
}).openapi('CreateEventRequest');

export type EventInput = z.infer<typeof createEventBody>;

export const updateEventBody = z.strictObject({
  ...Object.fromEntries(Object.entries(eventFields).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof eventFields]: z.ZodOptional<(typeof eventFields)[K]>
  },
  status: z.enum(['draft', 'published']).optional().openapi({ description: 'draft -> published publishes; a published event cannot go back to draft' }),
  version: z.number().int().min(1).optional().openapi({ description: 'The version you read; or send it as If-Match' }),
}).refine((body) => Object.keys(body).some((key) => key !== 'version'), 'Send at least one field to change')
  .openapi('UpdateEventRequest');

export type EventChanges = z.infer<typeof updateEventBody>;

export const cancelEventBody = z.strictObject({ reason: z.string().trim().min(1).max(1000).optional() }).openapi('CancelEventRequest');

export const eventSchema = z.object({
  id: z.uuid(),
  organizerId: z.uuid().nullable().openapi({ description: 'null once the organizer deleted their account; the event stays for those who took part' }),
  title: z.string(),
  summary: z.string().nullable(),
  description: z.string().nullable(),
  categoryId: z.uuid().nullable(),
  status: z.enum(eventStatuses),
  type: z.enum(eventTypes),
  visibility: z.enum(visibilities),
  venueId: z.uuid().nullable(),
  location: pointSchema.nullable(),
  address: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  timezone: z.string(),
  recurrence: recurrenceSchema.nullable(),
  virtualProvider: z.enum(virtualProviders).nullable(),
  virtualUrl: z.string().nullable().optional().openapi({ description: 'Only for the organizer and attendees with an active registration' }),
  imageUrl: z.string().nullable(),
  capacity: z.number().int().nullable(),
  seatsSold: z.number().int(),
  seatsAvailable: z.number().int().nullable().openapi({ description: 'null: unlimited' }),
  isFree: z.boolean(),
  priceMinMinor: z.number().int().nullable(),
  priceMaxMinor: z.number().int().nullable(),
  currency: z.string().nullable(),
  tags: z.array(z.string()),
  counts: z.object({ views: z.number(), likes: z.number(), comments: z.number(), shares: z.number(), registrations: z.number(), checkins: z.number() }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  cancellationReason: z.string().nullable(),
}).openapi('Event');

export type EventDocument = z.infer<typeof eventSchema>;

export type RecurrenceInput = z.infer<typeof recurrenceSchema>;

// Listing, nearby and featured

const MAX_RADIUS_METRES = 200_000;

/** "500", "500m", "2.5km" -> metres; at most 200 km. */
export const radiusSchema = z.string().regex(/^\d{1,6}(\.\d{1,3})?(m|km)?$/, 'metres, or a number with m or km, e.g. 5km')
  .transform((text) => (text.endsWith('km') ? Number(text.slice(0, -2)) * 1000 : Number(text.replace(/m$/, ''))))
  .refine((metres) => metres > 0 && metres <= MAX_RADIUS_METRES, 'between 1 m and 200 km')
  .openapi({ type: 'string', example: '5km' });

const latitude = z.coerce.number().min(-90).max(90);
const longitude = z.coerce.number().min(-180).max(180);
const pageLimit = z.coerce.number().int().min(1).max(100);

/** Response fields a listing may be narrowed to with `fields=`; id is always included. */
export const listingFields = ['id', 'organizerId', 'title', 'summary', 'description', 'categoryId', 'status', 'type', 'visibility',
  'venueId', 'location', 'address', 'startsAt', 'endsAt', 'timezone', 'recurrence', 'virtualProvider', 'imageUrl', 'capacity',
  'seatsSold', 'seatsAvailable', 'isFree', 'priceMinMinor', 'priceMaxMinor', 'currency', 'tags', 'counts', 'version',
  'createdAt', 'updatedAt', 'publishedAt', 'cancelledAt', 'cancellationReason', 'occurrence', 'distanceMetres', 'rank'] as const;

export const listEventsQuery = z.strictObject({
  category: z.string().min(1).max(100).optional().openapi({ description: 'Category id or slug; its subcategories are included' }),
  tags: z.string().max(500).optional().openapi({ description: 'Comma-separated tag names; events with any of them' }),
  from: isoInstant.optional().openapi({ description: 'Window start (default now): events or occurrences still running then' }),
  to: isoInstant.optional().openapi({ description: 'Window end: occurrences starting before then' }),
  type: z.enum(eventTypes).optional(),
  free: z.enum(['true', 'false']).optional(),
  priceMin: z.coerce.number().int().min(0).max(1e12).optional().openapi({ description: 'Minor units' }),
  priceMax: z.coerce.number().int().min(0).max(1e12).optional().openapi({ description: 'Minor units' }),
  q: z.string().trim().min(1).max(200).optional().openapi({ description: 'Full-text search (web search syntax)' }),
  near: z.string().regex(/^-?\d{1,3}(\.\d+)?,-?\d{1,3}(\.\d+)?$/, 'lat,lng').optional().openapi({ example: '45.4642,9.19' }),
  radius: radiusSchema.optional().openapi({ description: 'With near; default 10km, at most 200km' }),
  status: z.enum(eventStatuses).default('published').openapi({ description: 'Drafts are listed only to their organizer' }),
  sort: z.enum(['start', 'distance', 'relevance', 'popularity']).default('start'),
  cursor: z.string().max(500).optional(),
  limit: pageLimit.default(20),
  fields: z.string().max(1000).optional().openapi({ description: `Comma-separated subset of: ${listingFields.join(', ')}` }),
}).superRefine((query, ctx) => {
  if (query.near) {
    const [lat, lng] = query.near.split(',').map(Number) as [number, number];
    if (Math.abs(lat) > 90 || Math.abs(lng) > 180) ctx.addIssue({ code: 'custom', path: ['near'], message: 'lat within ±90, lng within ±180' });
  }
  if (query.radius !== undefined && !query.near) ctx.addIssue({ code: 'custom', path: ['radius'], message: 'radius needs near' });
  if (query.sort === 'distance' && !query.near) ctx.addIssue({ code: 'custom', path: ['sort'], message: 'sort=distance needs near' });
  if (query.sort === 'relevance' && !query.q) ctx.addIssue({ code: 'custom', path: ['sort'], message: 'sort=relevance needs q' });
  if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must follow from' });
  const unknown = query.fields?.split(',').filter((field) => !(listingFields as readonly string[]).includes(field)) ?? [];
  if (unknown.length > 0) ctx.addIssue({ code: 'custom', path: ['fields'], message: `unknown fields: ${unknown.join(', ').slice(0, 200)}` });
});

export type ListEventsQuery = z.infer<typeof listEventsQuery>;

export const nearbyQuery = z.strictObject({
  lat: latitude,
  lng: longitude,
  radius: radiusSchema.optional().openapi({ description: 'Default 10km, at most 200km' }),
  limit: pageLimit.default(20),
});

export const featuredQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(10) });

const occurrenceSchema = z.object({ startsAt: z.string(), endsAt: z.string() }).openapi('Occurrence');

export const eventListItemSchema = eventSchema.omit({ virtualUrl: true }).partial().extend({
  id: z.uuid(),
  occurrence: occurrenceSchema.optional().openapi({ description: 'The occurrence inside the window (recurring events appear once per occurrence when sorted by start)' }),
  distanceMetres: z.number().optional(),
  rank: z.number().optional(),
  score: z.number().optional(),
}).openapi('EventListItem');

export type EventListItem = z.infer<typeof eventListItemSchema>;

export const eventPageSchema = z.object({ items: z.array(eventListItemSchema), nextCursor: z.string().nullable() }).openapi('EventPage');
export const eventListSchema = z.object({ items: z.array(eventListItemSchema) }).openapi('EventList');
