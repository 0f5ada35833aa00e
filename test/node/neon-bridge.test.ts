import { useLocalProxy } from '../../shared/stores/postgres.ts';
import { neon, neonConfig, Pool } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { startNeonBridge } from '../../scripts/stack/neon-bridge/index.ts';
import { terminateWatcher } from '../../scripts/stack/neon-bridge/ws-tunnel.ts';
import { startPostgres } from '../../scripts/stack/postgres/index.ts';
import type { StartedStore } from '../../scripts/stack/types.ts';
import { sleep } from './support/redis-targets.ts';

let postgres: StartedStore;
let bridge: { url: string; close(): Promise<void> };
let url: string;

beforeAll(async () => {
  postgres = await startPostgres({ dataDir: '', persist: false });
  bridge = await startNeonBridge();
  url = postgres.env.DATABASE_URL!;
  // What the Worker does when NEON_LOCAL_PROXY is set.
  useLocalProxy(bridge.url);
  neonConfig.webSocketConstructor = ws;
});
afterAll(async () => {
  await bridge?.close();
  await postgres?.store.close();
});

describe('Neon bridge, HTTP queries (neon())', () => {
  it('returns typed rows parsed by the driver from raw text', async () => {
    const sql = neon(url);
    const rows = await sql`SELECT ${41}::int + 1 AS n, ${'é'}::text AS s, '2024-01-02T03:04:05Z'::timestamptz AS t,
      '{"a":[1]}'::jsonb AS j, ARRAY[1,2] AS arr, NULL::text AS nothing, true AS yes, '\\x0102'::bytea AS b`;
    expect(rows).toEqual([{
      n: 42, s: 'é', t: new Date('2024-01-02T03:04:05Z'), j: { a: [1] }, arr: [1, 2], nothing: null, yes: true,
      b: Buffer.from([1, 2]),
    }]);
    const full = await neon(url, { fullResults: true }).query('SELECT generate_series(1, 3) AS i');
    expect(full.command).toBe('SELECT');
    expect(full.rowCount).toBe(3);
    expect(full.fields[0]).toMatchObject({ name: 'i', dataTypeID: 23 });
  });

  it('runs sql.transaction() atomically, with its isolation options', async () => {
    const sql = neon(url);
    await sql`CREATE TABLE IF NOT EXISTS tx_items (id int PRIMARY KEY)`;
    const [, , count] = await sql.transaction([
      sql`INSERT INTO tx_items VALUES (1)`, sql`INSERT INTO tx_items VALUES (2)`, sql`SELECT count(*)::int AS n FROM tx_items`,
    ]);
    expect(count).toEqual([{ n: 2 }]);
    await expect(sql.transaction([sql`INSERT INTO tx_items VALUES (3)`, sql`INSERT INTO tx_items VALUES (1)`])).rejects.toThrow();
    expect(await sql`SELECT count(*)::int AS n FROM tx_items`).toEqual([{ n: 2 }]);
    const shown = await sql.transaction([sql`SHOW transaction_isolation`], { isolationLevel: 'Serializable', readOnly: true });
    expect(shown).toEqual([[{ transaction_isolation: 'serializable' }]]);
    await expect(sql.transaction([sql`INSERT INTO tx_items VALUES (9)`], { readOnly: true })).rejects.toMatchObject({ code: '25006' });
  });

  it('raises Postgres errors with their SQLSTATE and fields', async () => {
    const sql = neon(url);
    await sql`CREATE TABLE IF NOT EXISTS uniq (email text CONSTRAINT uniq_email UNIQUE)`;
    await sql`INSERT INTO uniq VALUES ('a@b')`;
    await expect(sql`INSERT INTO uniq VALUES ('a@b')`).rejects.toMatchObject({
      name: 'NeonDbError', code: '23505', constraint: 'uniq_email', table: 'uniq', severity: 'ERROR',
      detail: 'Key (email)=(a@b) already exists.',
    });
    await expect(sql.query('SELEC 1')).rejects.toMatchObject({ code: '42601', position: '1' });
  });
});

describe('Neon bridge, WebSocket Pool', () => {
  it('runs interactive transactions and closes the backend on pool.end()', async () => {
    const pool = new Pool({ connectionString: `${url}?application_name=ws-pool-test` });
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('CREATE TABLE ws_items (id serial PRIMARY KEY, note text)');
    const { rows } = await client.query('INSERT INTO ws_items (note) VALUES ($1) RETURNING id, note', ['hi']);
    await client.query('COMMIT');
    client.release();
    expect(rows).toEqual([{ id: 1, note: 'hi' }]);
    await pool.end();
    // The driver never closes its socket: the bridge ends the TCP side on the Terminate message.
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let open = 1;
    for (let i = 0; i < 40 && open > 0; i++) {
      open = (await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'ws-pool-test'")).rows[0].n;
      if (open) await sleep(50);
    }
    await admin.end();
    expect(open).toBe(0);
  });

  it('closes the WebSocket once the client sent Terminate, though the client keeps it open', async () => {
    const params = Buffer.from('user\0flow\0database\0flow\0\0');
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    const socket = new ws(`${bridge.url.replace('http', 'ws')}/v2?address=${new URL(url).host}`);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.on('open', resolve));
    const ready = new Promise((resolve) => socket.on('message', (data: Buffer) => data.includes('Z') && resolve(true)));
    socket.send(Buffer.concat([startup, params]));
    await ready;
    socket.send(Buffer.from([0x58, 0, 0, 0, 4]));
    expect(await Promise.race([closed.then(() => 'closed by the bridge'), sleep(2_000).then(() => 'still open')]))
      .toBe('closed by the bridge');
  });

  it('refuses tunnels and queries to hosts other than this machine', async () => {
    const res = await fetch(`${bridge.url}/sql`, {
      method: 'POST',
      headers: { 'neon-connection-string': 'postgres://u:p@db.example.com/x' },
      body: '{"query":"SELECT 1","params":[]}',
    });
    expect(res.status).toBe(400);
    const socket = new ws(`${bridge.url.replace('http', 'ws')}/v2?address=db.example.com:5432`);
    const outcome = await new Promise((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

describe('terminateWatcher', () => {
  const startup = Buffer.concat([Buffer.from([0, 0, 0, 9, 0, 3, 0, 0]), Buffer.from([0])]);
  const query = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 6]), Buffer.from('X\0')]);
  const terminate = Buffer.from([0x58, 0, 0, 0, 4]);

  it('finds Terminate after other messages, even split across chunks, and not inside a query', () => {
    const watch = terminateWatcher();
    const stream = Buffer.concat([startup, query, terminate]);
    expect(watch(stream.subarray(0, 11))).toBe(false);
    expect(watch(stream.subarray(11, stream.length - 2))).toBe(false);
    expect(watch(stream.subarray(stream.length - 2))).toBe(true);
  });

  it('skips an SSLRequest before the startup message', () => {
    const watch = terminateWatcher();
    const ssl = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    expect(watch(Buffer.concat([ssl, startup, query]))).toBe(false);
    expect(watch(terminate)).toBe(true);
  });
});
