import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { listMigrations, pendingMigrations } from './migration-files.ts';

/** Arbitrary, fixed key of the advisory lock that serializes concurrent migration runners. */
export const MIGRATION_LOCK_KEY = 4_170_913_265;

/** Applies pending `NNNN_name.sql` files, each in its own transaction; the caller holds the lock. */
export async function migratePostgres(client: pg.Client, dir: string, log: (line: string) => void): Promise<string[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
  const pending = pendingMigrations(await listMigrations(dir, '.sql'), rows, 'postgres');
  const applied: string[] = [];
  for (const migration of pending) {
    const sql = await readFile(migration.file, 'utf8');
    try {
      await client.query('BEGIN');
      // No parameters: pg sends the file with the simple protocol, so it may hold many statements.
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw new Error(`postgres migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
    log(`postgres: applied ${migration.name}`);
    applied.push(migration.name);
  }
  return applied;
}
