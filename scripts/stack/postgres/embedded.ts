import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from '../ports.ts';
import type { StartedStore } from '../types.ts';
import { servePglite } from './pglite-wire.ts';

/**
 * Starts PGlite (Postgres compiled to WASM) with PostGIS, served over the wire protocol.
 * Used when no system Postgres with PostGIS is installed. Known limits of this stand-in: one
 * database and one session shared by every connection (the database name in the URL is ignored,
 * advisory locks never block, connections take turns on it: a transaction or an extended-query
 * exchange runs to its end before another connection's messages; see pglite-wire.ts),
 * and a slow first start (~6 s, plus ~5 s for CREATE EXTENSION postgis).
 */
export async function startEmbeddedPostgres(options: { dataDir: string; persist: boolean }): Promise<StartedStore> {
  // Imported lazily: the WASM bundles are large and most machines use the system server.
  const [{ PGlite }, { postgis }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-postgis')]);
  // Its own folder: a PGlite cluster (Postgres 18, WASM) and a system one cannot share files.
  const dir = options.persist ? path.join(options.dataDir, 'pglite') : undefined;
  if (dir) await mkdir(dir, { recursive: true });
  const db = await PGlite.create({ ...(dir ? { dataDir: dir } : {}), extensions: { postgis } });
  const port = await freePort();
  const listen = () => servePglite(db, { host: '127.0.0.1', port });
  let server: Awaited<ReturnType<typeof listen>> | undefined = await listen();

  return {
    env: { DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` },
    store: {
      name: 'postgres',
      kind: 'embedded PGlite + PostGIS (no rum: text search ranks over GIN)',
      where: `127.0.0.1:${port}`,
      async stop() {
        await server?.stop();
        server = undefined;
      },
      async start() {
        server ??= await listen();
      },
      async close() {
        await server?.stop();
        server = undefined;
        await db.close();
      },
    },
  };
}
