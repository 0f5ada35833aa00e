/**
 * The Redis copy of a user's presence, written by their Presence object on every change and on
 * every liveness sweep, so a batch query reads one MGET instead of waking one object per user.
 */
export type PresenceState = 'online' | 'away' | 'busy' | 'offline';

export interface PresenceSnapshot {
  state: PresenceState;
  lastSeenAt: string | null;
}

export const presenceSnapshotKey = (userId: string) => `presence:${userId}`;

/**
 * A live state expires after twice the timeout, so a user whose object vanished without a last
 * word reads as offline; an offline snapshot lives a week to keep "last seen" answerable.
 */
export function snapshotTtlSeconds(snapshot: PresenceSnapshot, timeoutSeconds: number): number {
  return snapshot.state === 'offline' ? 7 * 24 * 3600 : timeoutSeconds * 2;
}
