-- 0014: text search ranked from the index, where the server offers the rum extension.
-- GIN (0005) finds the matching events but stores no lexeme positions, so sorting by relevance
-- reads every match from the heap to rank it with ts_rank_cd: a word in a tenth of 100,000
-- events means ~6,400 heap pages per page of results. A RUM index keeps the positions (and
-- their A/B/C weights) in its posting lists, so `ORDER BY search_vector <=> query` comes out of
-- the index in rank order and only the rows of the page are read (see events-listing.ts).
--
-- rum is not everywhere: Neon and Debian (postgresql-15-rum) have it, PGlite does not. Without
-- it this migration does nothing and the listing keeps ranking over the GIN index. The GIN
-- index stays either way: it is the fallback, and dropping it would tie a rollback of rum to
-- rebuilding it. A server that gains rum later needs this block run again by hand.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
    CREATE EXTENSION IF NOT EXISTS rum;
    CREATE INDEX IF NOT EXISTS events_search_rum ON events USING rum (search_vector rum_tsvector_ops);
  ELSE
    RAISE NOTICE 'rum is not available: text search ranks over the GIN index events_search_gin';
  END IF;
END
$$;
