import type { Postgres } from '../../../shared/stores/index.ts';

/**
 * The index text search ranks over: `rum` when migration 0014 could build events_search_rum
 * (rank order read from the index), else `gin` (every match read and ranked with ts_rank_cd).
 */
export type TextSearchIndex = 'rum' | 'gin';

// One database per isolate, and the index comes and goes only with a migration: asked once.
// The answer is kept, not the pending promise, so no request waits on another one's I/O.
let known: TextSearchIndex | undefined;

/** Which index ranks text search on this database; asked on first use, then remembered. */
export async function textSearchIndex(db: Pick<Postgres, 'query'>): Promise<TextSearchIndex> {
  if (known) return known;
  const [row] = await db.query<{ rum: boolean }>(
    `select exists (select 1 from pg_index where indexrelid = to_regclass('events_search_rum') and indisvalid) as rum`,
  );
  known = row?.rum ? 'rum' : 'gin';
  return known;
}
