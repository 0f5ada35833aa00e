import { useLocalProxy } from '../../shared/stores/postgres.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { neon, neonConfig, Pool } from '@neondatabase/serverless';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { runMigrations } from '../../scripts/lib/migrate.ts';
import { startStack, type RunningStack } from '../../scripts/stack/index.ts';

// What a machine without Debian's postgresql-*-postgis and redis-server gets: PGlite and the in-process Redis.
describe('local stack with embedded servers only (FLOW_STACK_EMBEDDED=all)', () => {
  let stack: RunningStack;
  let dataDir: string;
  const saved = process.env.FLOW_STACK_EMBEDDED;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'flow-embedded-test-'));
    process.env.FLOW_STACK_EMBEDDED = 'all';
    stack = await startStack({ dataDir, persist: false });
    useLocalProxy(stack.env.NEON_LOCAL_PROXY!);
    neonConfig.webSocketConstructor = ws;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.FLOW_STACK_EMBEDDED;
    else process.env.FLOW_STACK_EMBEDDED = saved;
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says what it runs', () => {
    expect(stack.stores.map((s) => s.kind)).toEqual([
      'embedded PGlite + PostGIS (no rum: text search ranks over GIN)',
      'embedded in-process redis behind an Upstash REST endpoint',
      'embedded CongoDB (MongoDB wire protocol)',
    ]);
  });

  it('migrates PGlite (with PostGIS) and serves the Neon driver over HTTP and WebSocket', async () => {
    const migrationsDir = path.join(import.meta.dirname, 'fixtures', 'migrations');
    const applied = await runMigrations({ databaseUrl: stack.env.DATABASE_URL, mongoUri: stack.env.MONGODB_URI, migrationsDir });
    expect(applied.postgres).toEqual(['0001_extensions', '0002_things']);
    const sql = neon(stack.env.DATABASE_URL);
    expect(await sql`SELECT name, ST_AsText(location::geometry) AS wkt FROM things`).toEqual([{ name: 'origin', wkt: 'POINT(0 0)' }]);
    await expect(sql`SELECT * FROM missing_table`).rejects.toMatchObject({ code: '42P01' });
    const pool = new Pool({ connectionString: stack.env.DATABASE_URL });
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query("INSERT INTO things (name) VALUES ('second')");
    await client.query('COMMIT');
    client.release();
    await pool.end();
    expect(await sql`SELECT count(*)::int AS n FROM things`).toEqual([{ n: 2 }]);
  });

  it('survives stopping and starting PGlite and the in-process Redis', async () => {
    const redis = new Redis({ url: stack.env.UPSTASH_REDIS_REST_URL, token: stack.env.UPSTASH_REDIS_REST_TOKEN, retry: false });
    await redis.set('kept', 'yes');
    await Promise.all([stack.stopStore('postgres'), stack.stopStore('redis')]);
    await expect(neon(stack.env.DATABASE_URL)`SELECT 1`).rejects.toThrow(/HTTP status 503/);
    await expect(redis.get('kept')).rejects.toThrow();
    await Promise.all([stack.startStore('postgres'), stack.startStore('redis')]);
    expect(await neon(stack.env.DATABASE_URL)`SELECT count(*)::int AS n FROM things`).toEqual([{ n: 1 + 1 }]);
    expect(await redis.get('kept')).toBe('yes');
  });
});
