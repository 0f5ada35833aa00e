import type { Context } from 'hono';
import type { AppEnv } from '../../../shared/http/app-env.ts';
import type { EventsDeps } from './events.ts';

/** What the event service needs from a request; the services never see Hono. */
export function eventsDeps(c: Context<AppEnv>): EventsDeps {
  return { stores: c.get('stores'), correlationId: c.get('correlationId'), offerSeconds: c.get('config').WAITLIST_OFFER_SECONDS };
}
