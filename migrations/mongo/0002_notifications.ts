// 0002: indexes of the notification collections: notifications (with per-channel delivery
// tracking), notification_templates, notification_preferences, and user_preferences.
import type { Db } from 'mongodb';

export async function up(db: Db): Promise<void> {
  // notifications: { recipientId, type, priority, title, body, data, deepLink, groupKey?,
  //   dedupeKey?, scheduledFor?, status: 'scheduled' | 'pending' | 'sent' | 'failed',
  //   readAt: Date | null, deliveries: [{ channel, status: 'queued' | 'sent' | 'delivered'
  //   | 'opened' | 'failed', attempts, providerMessageId?, lastError?, at }],
  //   createdAt, expiresAt? }
  await db.collection('notifications').createIndexes([
    // A user's notifications, newest first (cursor on createdAt, _id).
    { key: { recipientId: 1, createdAt: -1, _id: -1 }, name: 'recipient_created' },
    // Unread count and "mark all read": readAt null.
    { key: { recipientId: 1, readAt: 1, createdAt: -1 }, name: 'recipient_unread' },
    // Grouping / digests ("5 people liked your post"): recent ones with the same key.
    { key: { recipientId: 1, groupKey: 1, createdAt: -1 }, name: 'recipient_group' },
    // Idempotent creation: one notification per recipient and dedupe key.
    {
      key: { recipientId: 1, dedupeKey: 1 },
      name: 'recipient_dedupe_unique',
      unique: true,
      partialFilterExpression: { dedupeKey: { $exists: true } },
    },
    // Scheduler: due scheduled notifications.
    { key: { status: 1, scheduledFor: 1 }, name: 'status_scheduled' },
    // Provider callbacks (delivered / opened / failed) find the notification by message id.
    { key: { 'deliveries.providerMessageId': 1 }, name: 'delivery_provider_message', sparse: true },
    // Old notifications expire (the writer sets expiresAt; security alerts may keep none).
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ]);

  // notification_templates: { key (e.g. 'event_reminder'), channel: 'push' | 'email' |
  //   'sms' | 'in_app', locale (e.g. 'en', 'it-IT'), subject?, body, variables[], version,
  //   createdAt, updatedAt }
  await db.collection('notification_templates').createIndexes([
    { key: { key: 1, channel: 1, locale: 1 }, name: 'key_channel_locale_unique', unique: true },
  ]);

  // notification_preferences: { userId, channels: { push, email, sms, in_app },
  //   types: { <type>: { <channel>: boolean } }, quietHours: { start, end, timezone },
  //   updatedAt }
  await db.collection('notification_preferences').createIndexes([
    { key: { userId: 1 }, name: 'user_unique', unique: true },
  ]);

  // user_preferences: { userId, language, timezone, theme, ..., updatedAt }
  await db.collection('user_preferences').createIndexes([
    { key: { userId: 1 }, name: 'user_unique', unique: true },
  ]);
}
