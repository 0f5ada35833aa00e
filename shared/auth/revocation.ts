import type { RedisStore } from '../stores/index.ts';

/** The deny-list entry of a session (exists while the session's access tokens could be valid). */
export const revokedSessionKey = (sessionId: string) => `auth:revoked-session:${sessionId}`;

/**
 * Puts sessions on the deny-list that every authenticated request checks, for as long as an
 * access token of theirs could still be valid: logout ends a session at once, not in 15 minutes.
 */
export async function denySessions(redis: RedisStore, sessionIds: string[], accessTtlSeconds: number): Promise<void> {
  if (sessionIds.length === 0) return;
  await redis.run((client) => {
    const pipeline = client.pipeline();
    for (const id of sessionIds) pipeline.set(revokedSessionKey(id), 1, { ex: accessTtlSeconds + 60 });
    return pipeline.exec();
  });
}
