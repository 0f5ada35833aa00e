import { StoreUnavailableError } from '../../../shared/errors.ts';
import type { MongoStore } from '../../../shared/stores/index.ts';
import {
  canonicalLanguage, canonicalTimeZone, CHANNELS, NOTIFICATION_TYPES,
  type Channel, type NotificationType, type UpdatePreferencesInput,
} from '../profile-schemas.ts';

type Switches = Record<Channel, boolean>;

/** A user's preferences document in MongoDB `user_preferences` (one per user, unique on userId). */
export interface PreferencesDocument {
  userId: string;
  notifications?: Partial<Record<NotificationType, Partial<Switches>>>;
  quietHours?: { start: string; end: string } | null;
  language?: string;
  timezone?: string;
  theme?: 'light' | 'dark' | 'system';
  createdAt?: Date;
  updatedAt?: Date;
}

export const PREFERENCES_COLLECTION = 'user_preferences';

// Everything in-app and push; email for what needs an answer or may be missed; SMS off (it costs
// money and needs a verified number). Security alerts go by email always (see profile-schemas.ts).
const EMAIL_BY_DEFAULT = new Set<NotificationType>(['connection_request', 'event_invitation', 'event_reminder', 'event_update', 'system_announcement', 'security_alert']);

const DEFAULTS = {
  quietHours: null,
  language: 'en',
  timezone: 'UTC',
  theme: 'system',
} as const;

function defaultSwitches(type: NotificationType): Switches {
  return { push: true, email: EMAIL_BY_DEFAULT.has(type), sms: false, in_app: true };
}

/** The effective preferences: what the user stored over the defaults. */
export function preferencesView(stored: PreferencesDocument | null) {
  const notifications = Object.fromEntries(NOTIFICATION_TYPES.map((type) => {
    const switches = { ...defaultSwitches(type), ...pickSwitches(stored?.notifications?.[type]) };
    if (type === 'security_alert') switches.email = true; // never off, whatever is stored
    return [type, switches];
  })) as Record<NotificationType, Switches>;
  return {
    notifications,
    quietHours: stored?.quietHours ? { start: stored.quietHours.start, end: stored.quietHours.end } : DEFAULTS.quietHours,
    language: stored?.language ?? DEFAULTS.language,
    timezone: stored?.timezone ?? DEFAULTS.timezone,
    theme: stored?.theme ?? DEFAULTS.theme,
    updatedAt: stored?.updatedAt ? new Date(stored.updatedAt).toISOString() : null,
  };
}

export type PreferencesView = ReturnType<typeof preferencesView>;

function pickSwitches(stored: Partial<Switches> | undefined): Partial<Switches> {
  if (!stored) return {};
  return Object.fromEntries(CHANNELS.filter((channel) => typeof stored[channel] === 'boolean').map((channel) => [channel, stored[channel]]));
}

export async function getPreferences(mongo: MongoStore, userId: string): Promise<PreferencesView> {
  return preferencesView(await mongo.collection<PreferencesDocument>(PREFERENCES_COLLECTION).findOne({ userId }));
}

/**
 * Partial update. Every field sent becomes its own `$set` path (notifications.<type>.<channel>),
 * applied by one atomic upsert: concurrent updates of different fields all land, none is lost to
 * a read-modify-write. The paths come only from the schema's closed lists of types and channels.
 */
export async function updatePreferences(mongo: MongoStore, userId: string, input: UpdatePreferencesInput): Promise<PreferencesView> {
  const set: Record<string, unknown> = { updatedAt: new Date() };
  for (const type of NOTIFICATION_TYPES) {
    const switches = input.notifications?.[type];
    for (const channel of CHANNELS) {
      if (typeof switches?.[channel] === 'boolean') set[`notifications.${type}.${channel}`] = switches[channel];
    }
  }
  if (input.quietHours !== undefined) set.quietHours = input.quietHours;
  if (input.language !== undefined) set.language = canonicalLanguage(input.language);
  if (input.timezone !== undefined) set.timezone = canonicalTimeZone(input.timezone);
  if (input.theme !== undefined) set.theme = input.theme;

  const stored = await onceMoreIfUnavailable(() => mongo.collection<PreferencesDocument>(PREFERENCES_COLLECTION).findOneAndUpdate(
    { userId },
    { $set: set, $setOnInsert: { createdAt: new Date() } },
    { upsert: true, returnDocument: 'after' },
  ));
  return preferencesView(stored);
}

// The update is idempotent (the same $set again changes nothing more), so a write lost to a
// dropped connection is sent once more: the Mongo pool runs with retryWrites off and the store
// guard retries only reads.
async function onceMoreIfUnavailable<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return write();
  }
}
