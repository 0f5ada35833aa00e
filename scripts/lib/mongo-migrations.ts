import { pathToFileURL } from 'node:url';
import type { Db } from 'mongodb';
import { listMigrations, pendingMigrations } from './migration-files.ts';

interface MigrationRecord {
  name: string;
  checksum: string;
  appliedAt: Date;
}

/** Runs pending `NNNN_name.ts` files (`export async function up(db)`), recording each in `_migrations`. */
export async function migrateMongo(db: Db, dir: string, log: (line: string) => void): Promise<string[]> {
  const records = db.collection<MigrationRecord>('_migrations');
  const recorded = await records.find({}, { projection: { _id: 0, name: 1, checksum: 1 } }).toArray();
  const pending = pendingMigrations(await listMigrations(dir, '.ts'), recorded, 'mongo');
  const applied: string[] = [];
  for (const migration of pending) {
    const module = (await import(pathToFileURL(migration.file).href)) as { up?: (db: Db) => Promise<void> };
    if (typeof module.up !== 'function') throw new Error(`mongo migration ${migration.name} exports no up(db) function`);
    try {
      await module.up(db);
    } catch (error) {
      throw new Error(`mongo migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
    }
    await records.insertOne({ name: migration.name, checksum: migration.checksum, appliedAt: new Date() });
    log(`mongo: applied ${migration.name}`);
    applied.push(migration.name);
  }
  return applied;
}

/** The database named in a MongoDB URI's path (`mongodb://host/flow`), `flow` when there is none. */
export function mongoDatabaseName(uri: string): string {
  const name = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri)?.[1];
  return name ? decodeURIComponent(name) : 'flow';
}
