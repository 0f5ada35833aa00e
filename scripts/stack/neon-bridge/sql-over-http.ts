import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';

interface SqlQuery {
  query: string;
  params?: unknown[];
}

// Every value goes back as Postgres sent it (text); the driver parses it with its own type parsers.
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;
const ISOLATION: Record<string, string> = {
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
};
const ERROR_FIELDS = ['severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery',
  'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'] as const;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Serves Neon's HTTP query protocol (`POST /sql`) against local Postgres, one pg Pool per connection string. */
export function createSqlOverHttp(): {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
} {
  const pools = new Map<string, pg.Pool>();
  const poolFor = (connectionString: string): pg.Pool => {
    let pool = pools.get(connectionString);
    if (!pool) {
      // A short connect timeout: a stopped Postgres must surface as a quick 5xx, not a hang.
      pool = new pg.Pool({ connectionString, max: 10, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 2_000 });
      pool.on('error', () => {}); // idle clients die with their server; the pool drops them
      pools.set(connectionString, pool);
    }
    return pool;
  };

  return {
    async handle(req, res) {
      try {
        const connectionString = String(req.headers['neon-connection-string'] ?? '');
        const host = URL.canParse(connectionString) ? new URL(connectionString).hostname : '';
        if (!LOCAL_HOSTS.has(host)) {
          return reply(res, 400, { message: 'the local Neon bridge only reaches Postgres on 127.0.0.1' });
        }
        const body = JSON.parse(await readBody(req)) as SqlQuery | { queries: SqlQuery[] };
        const arrayMode = req.headers['neon-array-mode'] === 'true';
        const pool = poolFor(connectionString);
        if ('queries' in body) {
          const results = await runTransaction(pool, body.queries, arrayMode, req.headers);
          return reply(res, 200, { results });
        }
        return reply(res, 200, await runQuery(pool, body, arrayMode));
      } catch (error) {
        if (error instanceof pg.DatabaseError) return reply(res, 400, databaseError(error));
        if (error instanceof SyntaxError) return reply(res, 400, { message: `invalid request body: ${error.message}` });
        return reply(res, 503, { message: `Postgres unreachable: ${(error as Error).message}` });
      }
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.end().catch(() => {})));
      pools.clear();
    },
  };
}

async function runQuery(client: pg.Pool | pg.PoolClient, q: SqlQuery, arrayMode: boolean) {
  // Extended protocol, like Neon: one statement per query, parameters bound server-side.
  const config = { text: q.query, values: q.params ?? [], rowMode: 'array', types: RAW_TEXT, queryMode: 'extended' };
  const result = await client.query(config as pg.QueryArrayConfig);
  const fields = result.fields.map((f) => ({
    name: f.name, tableID: f.tableID, columnID: f.columnID, dataTypeID: f.dataTypeID,
    dataTypeSize: f.dataTypeSize, dataTypeModifier: f.dataTypeModifier, format: 'text',
  }));
  const rows = arrayMode
    ? result.rows
    : result.rows.map((row) => Object.fromEntries(fields.map((f, i) => [f.name, row[i]])));
  return { fields, rows, command: result.command, rowCount: result.rowCount, rowAsArray: arrayMode };
}

async function runTransaction(pool: pg.Pool, queries: SqlQuery[], arrayMode: boolean, headers: IncomingMessage['headers']) {
  const modes: string[] = [];
  const isolation = ISOLATION[String(headers['neon-batch-isolation-level'])];
  if (isolation) modes.push(`ISOLATION LEVEL ${isolation}`);
  if (headers['neon-batch-read-only'] === 'true') modes.push('READ ONLY');
  if (headers['neon-batch-deferrable'] === 'true') modes.push('DEFERRABLE');
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ${modes.join(' ')}`);
    const results = [];
    for (const q of queries) results.push(await runQuery(client, q, arrayMode));
    await client.query('COMMIT');
    return results;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}

function databaseError(error: pg.DatabaseError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message };
  for (const field of ERROR_FIELDS) if (error[field] !== undefined) body[field] = error[field];
  return body;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
