import type { RedisStore } from '../../../shared/stores/index.ts';

/** Who a WebSocket ticket was issued to, as stored under the ticket's hash. */
export interface TicketHolder {
  userId: string;
  username: string;
  sessionId: string;
}

// Keyed by the ticket's SHA-256 (hex): a Redis dump cannot be replayed as tickets.
export const ticketKey = (ticketHash: string) => `realtime:ticket:${ticketHash}`;

/** Stores a ticket's holder for `ttlSeconds`; the key's expiry is the ticket's expiry. */
export async function storeTicket(redis: RedisStore, ticketHash: string, holder: TicketHolder, ttlSeconds: number): Promise<void> {
  await redis.run((client) => client.set(ticketKey(ticketHash), JSON.stringify(holder), { ex: ttlSeconds }));
}

/**
 * Takes a ticket out of Redis in one atomic GETDEL: of two connections racing with the same
 * ticket exactly one gets the holder, the other null (as for an expired or unknown ticket).
 */
export async function takeTicket(redis: RedisStore, ticketHash: string): Promise<TicketHolder | null> {
  const stored = await redis.run((client) => client.getdel<TicketHolder | string>(ticketKey(ticketHash)));
  if (stored === null || stored === undefined) return null;
  // The Upstash client parses JSON values itself; a plain string means an older or foreign value.
  const holder = typeof stored === 'string' ? parseHolder(stored) : stored;
  return holder !== null && typeof holder.userId === 'string' && typeof holder.username === 'string' && typeof holder.sessionId === 'string' ? holder : null;
}

function parseHolder(text: string): TicketHolder | null {
  try {
    return JSON.parse(text) as TicketHolder;
  } catch {
    return null;
  }
}
