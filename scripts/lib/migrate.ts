import path from 'node:path';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { migrateMongo, mongoDatabaseName } from './mongo-migrations.ts';
import { MIGRATION_LOCK_KEY, migratePostgres } from './postgres-migrations.ts';

/** Where and what to migrate. */
export interface MigrateOptions {
  databaseUrl: string;
  mongoUri: string;
  /** Holds `postgres/NNNN_name.sql` and `mongo/NNNN_name.ts`; relative to the working directory. */
  migrationsDir?: string;
  log?: (line: string) => void;
}

/**
 * Applies pending Postgres then MongoDB migrations and returns the names applied this run. Runners
 * serialize on a Postgres advisory lock held for both stores, so concurrent runs apply each file once.
 */
export async function runMigrations(options: MigrateOptions): Promise<{ postgres: string[]; mongo: string[] }> {
  const dir = path.resolve(options.migrationsDir ?? 'migrations');
  const log = options.log ?? (() => {});
  const client = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  const mongo = new MongoClient(options.mongoUri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const postgres = await migratePostgres(client, path.join(dir, 'postgres'), log);
      await mongo.connect();
      const applied = await migrateMongo(mongo.db(mongoDatabaseName(options.mongoUri)), path.join(dir, 'mongo'), log);
      return { postgres, mongo: applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await Promise.allSettled([client.end(), mongo.close()]);
  }
}
