import { neon, neonConfig, Pool } from '@neondatabase/serverless';
import { AppError } from '../errors.ts';
import { guardStoreCall, isNetworkFailure, type GuardedCall, type GuardSettings } from './guard.ts';

/** A transaction handle: every query runs on the same connection inside BEGIN ... COMMIT. */
export interface PostgresTransaction {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

/** Postgres port: one-shot queries over HTTP, interactive transactions over a per-call pool. */
export interface Postgres {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[], call?: GuardedCall): Promise<Row[]>;
  transaction<T>(work: (tx: PostgresTransaction) => Promise<T>): Promise<T>;
  ping(call?: GuardedCall): Promise<void>;
}

export interface PostgresSettings extends GuardSettings {
  databaseUrl: string;
  /** Local bridge (HTTP query endpoint + WebSocket proxy) standing in for Neon's edge in dev and tests. */
  localProxy?: string;
  /** Keeps the request alive until the per-transaction pool is closed. */
  waitUntil: (promise: Promise<unknown>) => void;
}

// SQLSTATE classes that mean the server is unreachable or refusing work, not that the query was wrong.
const OUTAGE_SQLSTATE = /^(08|53|57P0|58)/;

function isPostgresOutage(error: unknown): boolean {
  if (error instanceof AppError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return OUTAGE_SQLSTATE.test(code);
  // The driver raises NeonDbError without a SQLSTATE when the endpoint itself failed.
  return (error instanceof Error && error.name === 'NeonDbError') || isNetworkFailure(error);
}

let configuredProxy: string | undefined;

/**
 * Points the Neon driver at a local bridge (HTTP query endpoint + WebSocket tunnel) instead of
 * Neon's edge. neonConfig is process-wide: done once, and only when a bridge is configured.
 */
export function useLocalProxy(proxy: string | undefined): void {
  if (!proxy || configuredProxy === proxy) return;
  const { host } = new URL(proxy);
  neonConfig.fetchEndpoint = `${proxy.replace(/\/$/, '')}/sql`;
  neonConfig.wsProxy = (targetHost, targetPort) => `${host}/v2?address=${targetHost}:${targetPort}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  configuredProxy = proxy;
}

/** Builds the Postgres port for one request (or one queue batch, or one Durable Object call). */
export function createPostgres(settings: PostgresSettings): Postgres {
  useLocalProxy(settings.localProxy);
  const sql = neon(settings.databaseUrl);
  const guard = <T>(operation: (signal: AbortSignal) => Promise<T>, call?: GuardedCall) =>
    guardStoreCall('postgres', settings, isPostgresOutage, operation, call);

  return {
    query: <Row>(text: string, params: unknown[] = [], call?: GuardedCall) =>
      guard(async (signal) => (await sql.query(text, params, { fetchOptions: { signal } })) as Row[], call),

    ping: async (call?: GuardedCall) => {
      await guard((signal) => sql.query('select 1', [], { fetchOptions: { signal } }), call);
    },

    transaction: (work) =>
      guard(async () => {
        const pool = new Pool({ connectionString: settings.databaseUrl, max: 1, connectionTimeoutMillis: settings.timeoutMs });
        pool.on('error', () => {}); // a dropped idle connection must not crash the isolate
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await work({
            query: async <Row>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as Row[],
          });
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          client.release();
          settings.waitUntil(pool.end());
        }
      }),
  };
}
