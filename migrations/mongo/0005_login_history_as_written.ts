// 0005: login_history as the identity service writes it ({ accountId, email, ip, userAgent,
// result, success, sessionId, at }): the indexes of 0003 were planned on userId/createdAt.
import type { Db } from 'mongodb';

export async function up(db: Db): Promise<void> {
  await db.collection('login_history').createIndexes([
    // A user's logins, newest first (GET /users/me/logins pages on at, then _id).
    { key: { accountId: 1, at: -1, _id: -1 }, name: 'account_at' },
    // Activity from one address (abuse investigation).
    { key: { ip: 1, at: -1 }, name: 'ip_at' },
  ]);
}
