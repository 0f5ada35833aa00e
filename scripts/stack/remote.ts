import type { StackEnv, StartedStore, StoreName } from './types.ts';

/** The stores that process.env points at remote servers, with the env entries to use for them. */
export function remoteStores(env: NodeJS.ProcessEnv): Partial<Record<StoreName, StartedStore>> {
  const found: Partial<Record<StoreName, StartedStore>> = {};
  const remote = (name: StoreName, where: string, entries: Partial<StackEnv>): StartedStore => ({
    env: entries,
    store: { name, kind: 'remote', where, stop: refuse(name), start: refuse(name), close: async () => {} },
  });
  if (env.DATABASE_URL) {
    found.postgres = remote('postgres', hostOf(env.DATABASE_URL), { DATABASE_URL: env.DATABASE_URL });
  }
  if (env.MONGODB_URI) found.mongo = remote('mongo', hostOf(env.MONGODB_URI), { MONGODB_URI: env.MONGODB_URI });
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    found.redis = remote('redis', hostOf(env.UPSTASH_REDIS_REST_URL), {
      UPSTASH_REDIS_REST_URL: env.UPSTASH_REDIS_REST_URL,
      UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
    });
  }
  return found;
}

// Only the host: the URLs carry credentials, and `where` gets printed.
function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : 'remote';
}

function refuse(name: StoreName) {
  return async () => {
    throw new Error(`${name} is remote: the local stack cannot stop or start it`);
  };
}
