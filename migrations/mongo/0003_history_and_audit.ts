// 0003: indexes of the append-only history collections: login_history and audit_events.
// Both carry an expiresAt set by the writer (retention), removed by a TTL index in MongoDB.
import type { Db } from 'mongodb';

export async function up(db: Db): Promise<void> {
  // login_history: { userId? (absent for unknown accounts), ip, userAgent,
  //   result: 'success' | 'bad_password' | 'locked' | 'mfa_required' | 'mfa_failed' | ...,
  //   sessionId?, correlationId, createdAt, expiresAt }
  await db.collection('login_history').createIndexes([
    // A user's recent logins (account page, security alerts, export).
    { key: { userId: 1, createdAt: -1 }, name: 'user_created' },
    // Activity from one address (abuse investigation).
    { key: { ip: 1, createdAt: -1 }, name: 'ip_created' },
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ]);

  // audit_events: { type (e.g. 'account.password_changed', 'event.updated'), actorId?,
  //   subjectType, subjectId, data, ip?, correlationId, createdAt, expiresAt }
  await db.collection('audit_events').createIndexes([
    { key: { actorId: 1, createdAt: -1 }, name: 'actor_created' },
    { key: { subjectType: 1, subjectId: 1, createdAt: -1 }, name: 'subject_created' },
    { key: { type: 1, createdAt: -1 }, name: 'type_created' },
    // Everything one request did, across services.
    { key: { correlationId: 1 }, name: 'correlation' },
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ]);
}
