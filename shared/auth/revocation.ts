import type { RedisStore } from '../stores/index.ts';

const revokedKey = (sessionId: string) => `auth:revoked-session:${sessionId}`;

/**
 * Puts sessions on the deny-list that every authenticated request checks, for as long as an
 * access token of theirs could still be valid: logout ends a session at once, not in 15 minutes.
 */
export async function denySessions(redis: RedisStore, sessionIds: string[], accessTtlSeconds: number): Promise<void> {
  if (sessionIds.length === 0) return;
  await redis.run((client) => {
    const pipeline = client.pipeline();
    for (const id of sessionIds) pipeline.set(revokedKey(id), 1, { ex: accessTtlSeconds + 60 });
    return pipeline.exec();
  });
}

/** Whether the session was ended (logout, revocation, reuse detection, password change). */
export async function isSessionDenied(redis: RedisStore, sessionId: string): Promise<boolean> {
  return (await redis.run((client) => client.exists(revokedKey(sessionId)))) === 1;
}
