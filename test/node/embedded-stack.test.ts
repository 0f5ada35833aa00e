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
import { executeAndSync, firstColumn, parseAndBind, WireClient } from './support/pg-wire-client.ts';

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

  it('keeps concurrent connections apart: extended-query exchanges and transactions take turns', async () => {
    const pool = new Pool({ connectionString: stack.env.DATABASE_URL, max: 8 });
    try {
      const expected = Array.from({ length: 40 }, (_, n) => ({ n, s: `value-${n}` }));
      const viaPool = await Promise.all(expected.map(({ n, s }) => pool.query('SELECT $1::int AS n, $2::text AS s', [n, s])));
      expect(viaPool.map((result) => result.rows[0])).toEqual(expected);
      const sql = neon(stack.env.DATABASE_URL);
      const viaHttp = await Promise.all(expected.map(({ n, s }) => sql`SELECT ${n}::int AS n, ${s}::text AS s`));
      expect(viaHttp.map((rows) => rows[0])).toEqual(expected);

      // Transactions on several connections at once, with plain queries running beside them.
      const transactions = Array.from({ length: 8 }, async (_, index) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('INSERT INTO things (name) VALUES ($1)', [`concurrent-${index}`]);
          await client.query('DELETE FROM things WHERE name = $1', [`concurrent-${index}`]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      });
      const beside = expected.map(({ n, s }) => sql`SELECT ${n}::int AS n, ${s}::text AS s`);
      await Promise.all(transactions);
      expect((await Promise.all(beside)).map((rows) => rows[0])).toEqual(expected);

      // While one connection is inside a transaction, another's statement waits for its end.
      const tx = await pool.connect();
      await tx.query('BEGIN');
      await tx.query('INSERT INTO things (name) VALUES ($1)', ['inside-tx']);
      const outside = pool.query('SELECT count(*)::int AS n FROM things WHERE name = $1', ['inside-tx']);
      await tx.query('ROLLBACK');
      tx.release();
      expect((await outside).rows).toEqual([{ n: 0 }]);
    } finally {
      await pool.end();
    }
  });

  it("holds PGlite's one session for a connection until its extended-query exchange ends", async () => {
    const url = new URL(stack.env.DATABASE_URL);
    const first = await WireClient.open(Number(url.port), url.username, url.password);
    const second = await WireClient.open(Number(url.port), url.username, url.password);
    try {
      // The first connection stops half-way: its unnamed statement and portal exist, not yet executed.
      first.send(parseAndBind('SELECT $1::text AS value', 'first'));
      await first.next('2'); // BindComplete
      // The second sends a whole exchange of its own meanwhile; it must not reuse or close the first's.
      second.send(Buffer.concat([parseAndBind('SELECT $1::text AS value', 'second'), executeAndSync()]));
      await new Promise((resolve) => setTimeout(resolve, 100));
      first.send(executeAndSync());
      const firstAnswer = await first.until('Z');
      const secondAnswer = await second.until('Z');
      for (const answer of [firstAnswer, secondAnswer]) expect(answer.map((message) => message.type)).not.toContain('E');
      expect(firstColumn(firstAnswer.find((message) => message.type === 'D')!)).toBe('first');
      expect(firstColumn(secondAnswer.find((message) => message.type === 'D')!)).toBe('second');
    } finally {
      first.close();
      second.close();
    }
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
