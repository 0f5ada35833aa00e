import { z } from '@hono/zod-openapi';

// Schemas of the user-data routes: profiles, preferences, devices, login history, stats, GDPR.

const nonEmpty = (value: object) => Object.keys(value).length > 0;
const SEND_SOMETHING = 'Send at least one field';

export const VISIBILITY_LEVELS = ['public', 'connections', 'private'] as const;
export type Visibility = (typeof VISIBILITY_LEVELS)[number];
const visibility = z.enum(VISIBILITY_LEVELS);

// ---- profiles ----

const locationInput = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  name: z.string().trim().min(1).max(200).optional(),
}).openapi('LocationInput');

const privacyInput = z.strictObject({
  profileVisibility: visibility.optional(),
  locationVisibility: visibility.optional(),
  attendanceVisibility: visibility.optional(),
}).refine(nonEmpty, SEND_SOMETHING);

export const updateProfileBody = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional(),
  bio: z.string().trim().max(2000).nullable().optional().openapi({ description: 'null clears it' }),
  avatarUrl: z.url({ protocol: /^https$/, error: 'Must be an https:// URL' }).max(2048).nullable().optional(),
  interests: z.array(z.string().trim().min(1).max(50)).max(50).optional().openapi({ description: 'Replaces the list; duplicates (any case) are dropped' }),
  location: locationInput.nullable().optional().openapi({ description: 'null clears it' }),
  privacy: privacyInput.optional(),
}).refine(nonEmpty, SEND_SOMETHING).openapi('UpdateProfileRequest');
export type UpdateProfileInput = z.infer<typeof updateProfileBody>;

export const profileSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
  bio: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  interests: z.array(z.string()),
  location: z.object({ lat: z.number(), lng: z.number(), name: z.string().nullable(), updatedAt: z.string().nullable() }).nullable()
    .openapi({ description: 'null when unset or not visible to the caller' }),
  privacy: z.object({ profileVisibility: visibility, locationVisibility: visibility, attendanceVisibility: visibility }).optional()
    .openapi({ description: 'Only for the user themself and admins' }),
  karma: z.number().int(),
  stats: z.object({
    eventsAttended: z.number().int().nullable().openapi({ description: 'null when attendance is not visible to the caller' }),
    eventsOrganized: z.number().int(),
    connections: z.number().int(),
    followers: z.number().int(),
    following: z.number().int(),
    crews: z.number().int(),
  }),
  memberSince: z.string(),
}).openapi('Profile');

// ---- preferences ----

export const NOTIFICATION_TYPES = [
  'connection_request', 'connection_accepted', 'group_invitation', 'post_like', 'post_comment',
  'event_invitation', 'event_reminder', 'event_update', 'system_announcement', 'security_alert',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export const CHANNELS = ['push', 'email', 'sms', 'in_app'] as const;
export type Channel = (typeof CHANNELS)[number];
export const THEMES = ['light', 'dark', 'system'] as const;

const toggles = z.strictObject({
  push: z.boolean().optional(),
  email: z.boolean().optional(),
  sms: z.boolean().optional(),
  in_app: z.boolean().optional(),
});
// Security alerts always reach the user by email: that one switch cannot be turned off, so no
// combination of updates (even concurrent ones) can silence them on every channel.
const securityToggles = toggles.extend({
  email: z.literal(true, { error: 'Security alerts always go by email; this channel cannot be turned off' }).optional(),
});
const notificationsPatch = z.strictObject(
  Object.fromEntries(NOTIFICATION_TYPES.map((type) => [type, (type === 'security_alert' ? securityToggles : toggles).optional()])) as
    Record<NotificationType, z.ZodOptional<typeof toggles>>,
);

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
const quietHours = z.strictObject({ start: clockTime, end: clockTime })
  .refine((value) => value.start !== value.end, 'start and end must differ')
  .openapi('QuietHours', { description: 'In the user\'s time zone; may span midnight (22:00 to 07:00)' });

/** A BCP 47 language tag that Intl understands (e.g. en, it-IT, zh-Hant-TW). */
export function canonicalLanguage(tag: string): string | null {
  if (!/^[A-Za-z0-9-]{2,35}$/.test(tag)) return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** The IANA name of a time zone Intl knows (e.g. Europe/Rome), in its canonical spelling. */
export function canonicalTimeZone(name: string): string | null {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat(undefined, { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export const updatePreferencesBody = z.strictObject({
  notifications: notificationsPatch.optional().openapi({ description: 'Per type and channel; only the switches sent change' }),
  quietHours: quietHours.nullable().optional().openapi({ description: 'null turns quiet hours off' }),
  language: z.string().refine((tag) => canonicalLanguage(tag) !== null, 'Not a BCP 47 language tag').optional().openapi({ example: 'it-IT' }),
  timezone: z.string().refine((name) => canonicalTimeZone(name) !== null, 'Not an IANA time zone').optional().openapi({ example: 'Europe/Rome' }),
  theme: z.enum(THEMES).optional(),
}).refine(nonEmpty, SEND_SOMETHING).openapi('UpdatePreferencesRequest');
export type UpdatePreferencesInput = z.infer<typeof updatePreferencesBody>;

const channelSwitches = z.object({ push: z.boolean(), email: z.boolean(), sms: z.boolean(), in_app: z.boolean() });
export const preferencesSchema = z.object({
  notifications: z.record(z.enum(NOTIFICATION_TYPES), channelSwitches),
  quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
  language: z.string(),
  timezone: z.string(),
  theme: z.enum(THEMES),
  updatedAt: z.string().nullable().openapi({ description: 'null while only defaults apply' }),
}).openapi('Preferences');

// ---- devices ----

export const registerDeviceBody = z.strictObject({
  platform: z.enum(['ios', 'android', 'web']),
  token: z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces').openapi({ description: 'FCM registration token' }),
  deviceName: z.string().trim().min(1).max(200).optional(),
  appVersion: z.string().trim().min(1).max(50).optional(),
}).openapi('RegisterDeviceRequest');
export type RegisterDeviceInput = z.infer<typeof registerDeviceBody>;

export const deviceSchema = z.object({
  id: z.uuid(),
  platform: z.enum(['ios', 'android', 'web']),
  token: z.string(),
  deviceName: z.string().nullable(),
  appVersion: z.string().nullable(),
  current: z.boolean().openapi({ description: 'Registered by the session making this call' }),
  createdAt: z.string(),
  lastSeenAt: z.string(),
}).openapi('Device');

// ---- login history, stats, GDPR ----

export const loginsQuery = z.strictObject({
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const loginEntrySchema = z.object({
  at: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  result: z.string(),
  success: z.boolean(),
}).openapi('LoginEntry');

export const loginPageSchema = z.object({
  items: z.array(loginEntrySchema),
  nextCursor: z.string().nullable(),
}).openapi('LoginHistoryPage');

export const statsSchema = z.object({
  eventsAttended: z.number().int(),
  eventsOrganized: z.number().int(),
  connections: z.number().int(),
  followers: z.number().int(),
  following: z.number().int(),
  crews: z.number().int(),
  karma: z.number().int(),
  activeSessions: z.number().int(),
  devices: z.number().int(),
  memberSince: z.string(),
}).openapi('UserStats');

export const achievementSchema = z.object({
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  iconUrl: z.string().nullable(),
  metric: z.enum(['events_attended', 'events_organized', 'karma']).openapi({ description: 'The statistic it is earned by' }),
  threshold: z.number().int().openapi({ description: 'The value of the statistic that earns it' }),
  progress: z.number().int().openapi({ description: 'Your current value of the statistic' }),
  earnedAt: z.string().nullable().openapi({ description: 'When you earned it; earned achievements stay even if the statistic goes back down' }),
}).openapi('Achievement');

export const achievementsSchema = z.object({ items: z.array(achievementSchema) }).openapi('Achievements');
export type AchievementMetric = z.infer<typeof achievementSchema>['metric'];

export const exportSchema = z.object({
  exportedAt: z.string(),
  account: z.record(z.string(), z.unknown()),
  profile: z.record(z.string(), z.unknown()).nullable(),
  preferences: z.record(z.string(), z.unknown()),
  sessions: z.array(z.unknown()),
  devices: z.array(z.unknown()),
  loginHistory: z.array(z.unknown()),
  related: z.record(z.string(), z.array(z.unknown())).openapi({ description: 'Rows in other tables and documents in other collections that are the user\'s' }),
  truncated: z.array(z.string()).openapi({ description: 'Sources that held more than the export limit' }),
}).openapi('UserDataExport');

export const deleteAccountBody = z.strictObject({
  password: z.string().min(1).max(1024).openapi({ description: 'The current password (re-authentication)' }),
}).openapi('DeleteAccountRequest');
