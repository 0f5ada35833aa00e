import { z } from '@hono/zod-openapi';

// Schemas of venues, the catalogue (categories, tags) and engagement (likes, comments, shares).

// ---- shared pieces ----

export const idParam = z.strictObject({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const isTimeZone = (zone: string) => {
  try {
    // Intl knows the IANA database of the runtime; an unknown zone throws a RangeError.
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
};

export const timeZoneSchema = z.string().min(1).max(64).refine(isTimeZone, 'An IANA time zone such as Europe/Rome')
  .openapi({ example: 'Europe/Rome' });

export const coordinatesSchema = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
}).openapi('Coordinates');

const optionalText = (max: number) => z.string().trim().min(1).max(max).nullable().optional();

export const addressSchema = z.strictObject({
  line1: optionalText(200),
  line2: optionalText(200),
  city: optionalText(100),
  region: optionalText(100),
  postalCode: optionalText(20),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case').nullable().optional(),
}).openapi('VenueAddress');

export const amenitySchema = z.string().regex(/^[a-z0-9]+([-_][a-z0-9]+)*$/, 'lower-case words joined by - or _').max(40);

const minor = z.number().int().min(0).max(100_000_000_000);

/** Venue pricing in minor units (cents) of one currency. */
export const pricingSchema = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217, upper case'),
  hourlyMinor: minor.optional(),
  dailyMinor: minor.optional(),
  depositMinor: minor.optional(),
  minimumHours: z.number().int().min(1).max(168).optional(),
}).openapi('VenuePricing');

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM (24:00 closes at midnight)');
const openingSpan = z.tuple([clock, clock]).refine(([open, close]) => open < close, 'A span opens before it closes');
const dayCodes = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type DayCode = (typeof dayCodes)[number];

const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

/** Weekly opening hours by RFC 5545 day code, plus dates the venue is closed. */
export const availabilitySchema = z.strictObject({
  weekly: z.partialRecord(z.enum(dayCodes), z.array(openingSpan).max(6)).optional(),
  closed: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine(isCalendarDate, 'A real calendar date')).max(366).optional(),
}).openapi('VenueAvailability', { example: { weekly: { MO: [['09:00', '23:00']] }, closed: ['2026-12-25'] } });

// ---- requests ----

const venueFields = {
  name: z.string().trim().min(1).max(200),
  description: optionalText(5000),
  address: addressSchema.optional(),
  location: coordinatesSchema.nullable().optional(),
  timezone: timeZoneSchema.nullable().optional(),
  capacity: z.number().int().min(1).max(10_000_000).nullable().optional(),
  amenities: z.array(amenitySchema).max(50).optional(),
  pricing: pricingSchema.nullable().optional(),
  availability: availabilitySchema.optional(),
  websiteUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
  phone: z.string().regex(/^\+?[0-9 ()./-]{3,40}$/, 'digits, spaces and + ( ) . / -').max(40).nullable().optional(),
};

export const createVenueBody = z.strictObject(venueFields).openapi('CreateVenueRequest');
export type CreateVenueInput = z.infer<typeof createVenueBody>;

export const updateVenueBody = z.strictObject({ ...venueFields, name: venueFields.name.optional() })
  .refine((value) => Object.keys(value).length > 0, 'Send at least one field')
  .openapi('UpdateVenueRequest');
export type UpdateVenueInput = z.infer<typeof updateVenueBody>;

const nearSchema = z.string().max(64)
  .regex(/^-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?$/, 'lat,lng')
  .transform((value) => value.split(',').map(Number) as [number, number])
  .refine(([lat, lng]) => Math.abs(lat) <= 90 && Math.abs(lng) <= 180, 'lat within -90..90, lng within -180..180')
  .openapi({ type: 'string', example: '45.4642,9.19' });

export const listVenuesQuery = z.strictObject({
  city: z.string().trim().min(1).max(100).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, upper case').optional(),
  near: nearSchema.optional().openapi({ description: 'lat,lng: only venues within `radius` of this point, nearest first' }),
  radius: z.coerce.number().int().min(1).max(200_000).default(10_000).openapi({ description: 'Metres around `near`' }),
  amenities: z.string().max(500)
    .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
    .pipe(z.array(amenitySchema).max(20))
    .optional().openapi({ type: 'string', description: 'Comma-separated; venues having all of them' }),
  minCapacity: z.coerce.number().int().min(1).max(10_000_000).optional(),
  cursor: z.string().max(300).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListVenuesQuery = z.infer<typeof listVenuesQuery>;

// ---- responses ----

export const venueSchema = z.object({
  id: z.uuid(),
  ownerId: z.uuid().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  address: z.object({
    line1: z.string().nullable(),
    line2: z.string().nullable(),
    city: z.string().nullable(),
    region: z.string().nullable(),
    postalCode: z.string().nullable(),
    countryCode: z.string().nullable(),
  }),
  location: coordinatesSchema.nullable(),
  timezone: z.string().nullable(),
  capacity: z.number().int().nullable(),
  amenities: z.array(z.string()),
  pricing: pricingSchema.nullable(),
  availability: availabilitySchema,
  websiteUrl: z.string().nullable(),
  phone: z.string().nullable(),
  distanceMeters: z.number().optional().openapi({ description: 'Only when listed with `near`' }),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi('Venue');

export const venuePageSchema = z.object({
  items: z.array(venueSchema),
  nextCursor: z.string().nullable(),
}).openapi('VenuePage');

// ---- catalogue: categories and tags ----

const slugSchema = z.string().max(80).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by dashes');

const categoryFields = {
  slug: slugSchema,
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().min(1).max(1000).nullable().optional(),
  icon: z.string().trim().min(1).max(200).nullable().optional(),
  parentId: z.uuid().nullable().optional().openapi({ description: 'Makes it a subcategory of that category' }),
  sortOrder: z.number().int().min(-100_000).max(100_000).optional(),
};

export const createCategoryBody = z.strictObject(categoryFields).openapi('CreateCategoryRequest');
export type CreateCategoryInput = z.infer<typeof createCategoryBody>;

export const updateCategoryBody = z.strictObject({ ...categoryFields, slug: slugSchema.optional(), name: categoryFields.name.optional() })
  .refine((value) => Object.keys(value).length > 0, 'Send at least one field')
  .openapi('UpdateCategoryRequest');
export type UpdateCategoryInput = z.infer<typeof updateCategoryBody>;

export interface CategoryNode {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  sortOrder: number;
  subcategories: CategoryNode[];
}

const categoryBase = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  icon: z.string().nullable(),
  sortOrder: z.number().int(),
});

export const categorySchema: z.ZodType<CategoryNode> = categoryBase.extend({
  subcategories: z.array(z.lazy(() => categorySchema)),
}).openapi('Category');

export const categoryTreeSchema = z.object({ items: z.array(categorySchema) }).openapi('CategoryTree');

export const listTagsQuery = z.strictObject({
  q: z.string().trim().min(1).max(80).optional().openapi({ description: 'Prefix of the tag\'s name or slug' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const tagSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  eventCount: z.number().int().openapi({ description: 'Published public events carrying the tag' }),
}).openapi('Tag');

export const tagListSchema = z.object({ items: z.array(tagSchema) }).openapi('TagList');

// ---- engagement: likes, comments, shares ----

export const commentParams = z.strictObject({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  commentId: z.string().regex(/^[0-9a-f]{24}$/, 'a comment id').openapi({ param: { name: 'commentId', in: 'path' } }),
});

export const likeStateSchema = z.object({
  liked: z.boolean().openapi({ description: 'Whether the caller likes the event now' }),
  likeCount: z.number().int(),
}).openapi('LikeState');

// Plain text: line breaks and tabs are kept, other control characters are refused.
const commentText = z.string().trim().min(1).max(2000)
  .refine((value) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value), 'Plain text without control characters');

export const createCommentBody = z.strictObject({ body: commentText }).openapi('CreateCommentRequest');

export const listCommentsQuery = z.strictObject({
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const commentSchema = z.object({
  id: z.string(),
  eventId: z.uuid(),
  author: z.object({ id: z.uuid(), username: z.string().nullable().openapi({ description: 'null once the account is gone' }) }),
  body: z.string().openapi({ description: 'Plain text; clients escape it when rendering' }),
  createdAt: z.string(),
}).openapi('Comment');

export const commentPageSchema = z.object({
  items: z.array(commentSchema),
  nextCursor: z.string().nullable(),
  commentCount: z.number().int(),
}).openapi('CommentPage');

export const shareChannels = ['link', 'email', 'sms', 'whatsapp', 'telegram', 'facebook', 'x', 'linkedin', 'instagram', 'other'] as const;

export type ShareChannel = (typeof shareChannels)[number];

export const shareBody = z.strictObject({ channel: z.enum(shareChannels) }).openapi('ShareRequest');

export const shareResultSchema = z.object({
  counted: z.boolean().openapi({ description: 'false when the caller already shared this event within the hour' }),
  shareCount: z.number().int(),
}).openapi('ShareResult');
