import { cacheGeneration } from '../../../shared/cache.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { EVENT_COLUMNS, type EventRow } from '../repo/events.ts';
import type { EventListItem } from '../schemas.ts';
import { EVENT_LISTS, FEATURED_TTL } from './events-cache.ts';
import { onceListedItems } from './listing.ts';

/**
 * The quality score of an upcoming public event (README, "Events"):
 *   engagement = 4 ln(1 + registrations) + 3 ln(1 + likes) + 2 ln(1 + comments)
 *              + 2 ln(1 + shares) + ln(1 + views)
 *   freshness  = 0.5 + 0.5 exp(-days since published / 14)
 *   fill       = seats sold / capacity (0 without a capacity)
 *   score      = engagement * freshness + 2 fill
 * Logarithms keep one viral number from drowning the others; freshness halves the weight of
 * old listings without burying them; fill rewards events people actually book.
 */
const QUALITY_SCORE = `(
  (4 * ln(1 + e.registration_count) + 3 * ln(1 + e.like_count) + 2 * ln(1 + e.comment_count)
   + 2 * ln(1 + e.share_count) + ln(1 + e.view_count))
  * (0.5 + 0.5 * exp(-greatest(0, extract(epoch from now() - coalesce(e.published_at, e.created_at)) / 86400.0) / 14))
  + 2 * coalesce(e.seats_sold::float8 / nullif(e.capacity, 0), 0)
)::float8`;

async function rankFromPostgres(stores: Stores, limit: number): Promise<EventListItem[]> {
  const rows = await stores.postgres.query<EventRow & { score: number }>(
    `select ${EVENT_COLUMNS}, ${QUALITY_SCORE} as score from events e
      where e.status = 'published' and e.visibility = 'public' and e.series_ends_at > now()
      order by score desc, e.id limit $1`,
    [limit],
  );
  const items = await onceListedItems(stores, rows);
  return items.map((item, i) => ({ ...item, score: Math.round(rows[i]!.score * 1000) / 1000 }));
}

/** Upcoming public events ranked by the quality score, cached 15 minutes (orphaned on any event change). */
export async function featuredEvents(stores: Stores, limit: number): Promise<EventListItem[]> {
  const key = `featured:v1:${await cacheGeneration(stores.redis, EVENT_LISTS)}:${limit}`;
  const cached = await stores.redis.run((r) => r.get<EventListItem[]>(key));
  if (cached) return cached;
  const ranked = await rankFromPostgres(stores, limit);
  await stores.redis.run((r) => r.set(key, ranked, { ex: FEATURED_TTL }));
  return ranked;
}
