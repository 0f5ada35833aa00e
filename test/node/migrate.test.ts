import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../../scripts/lib/migrate.ts';
import { mongoDatabaseName } from '../../scripts/lib/mongo-migrations.ts';
import { startMongo } from '../../scripts/stack/mongo.ts';
import { startPostgres } from '../../scripts/stack/postgres/index.ts';
import { findSystemPostgres } from '../../scripts/stack/postgres/system.ts';
import type { StartedStore } from '../../scripts/stack/types.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures');
let postgres: StartedStore;
let mongo: StartedStore;
let databases = 0;

/** A fresh Postgres database and Mongo database name for one test. */
async function freshTarget() {
  const name = `mig_${++databases}`;
  const mongoUri = mongo.env.MONGODB_URI!.replace(/\/flow$/, `/${name}`);
  if (!findSystemPostgres()) {
    // PGlite serves one database whatever the URL names: clear what the fixtures create instead.
    await query(postgres.env.DATABASE_URL!, 'DROP TABLE IF EXISTS schema_migrations, things, fine, half_done, more');
    return { databaseUrl: postgres.env.DATABASE_URL!, mongoUri };
  }
  await query(postgres.env.DATABASE_URL!, `CREATE DATABASE ${name}`);
  return { databaseUrl: postgres.env.DATABASE_URL!.replace(/\/flow$/, `/${name}`), mongoUri };
}

async function query(databaseUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Runs `test` on a fresh target migrated from a scratch copy of the fixtures it may then edit. */
async function withMigratedCopy(test: (target: Awaited<ReturnType<typeof freshTarget>>, migrationsDir: string) => Promise<void>) {
  const target = await freshTarget();
  const migrationsDir = await mkdtemp(path.join(os.tmpdir(), 'flow-migrations-'));
  try {
    await cp(path.join(fixtures, 'migrations'), migrationsDir, { recursive: true });
    await runMigrations({ ...target, migrationsDir });
    await test(target, migrationsDir);
  } finally {
    await rm(migrationsDir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  [postgres, mongo] = await Promise.all([
    startPostgres({ dataDir: '', persist: false }),
    startMongo({ dataDir: '', persist: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([postgres?.store.close(), mongo?.store.close()]);
});

describe('runMigrations', () => {
  it('applies Postgres and Mongo migrations in order, and nothing on the second run', async () => {
    const target = await freshTarget();
    const migrationsDir = path.join(fixtures, 'migrations');
    expect(await runMigrations({ ...target, migrationsDir })).toEqual({
      postgres: ['0001_extensions', '0002_things'],
      mongo: ['0001_things'],
    });
    expect(await runMigrations({ ...target, migrationsDir })).toEqual({ postgres: [], mongo: [] });
    const recorded = await query(target.databaseUrl, 'SELECT version, name, length(checksum) AS len FROM schema_migrations ORDER BY version');
    expect(recorded).toEqual([{ version: 1, name: '0001_extensions', len: 64 }, { version: 2, name: '0002_things', len: 64 }]);
    expect(await query(target.databaseUrl, 'SELECT name, ST_X(location::geometry) AS x FROM things')).toEqual([{ name: 'origin', x: 0 }]);
    const client = new MongoClient(target.mongoUri);
    try {
      const db = client.db(mongoDatabaseName(target.mongoUri));
      expect(await db.collection('things').countDocuments()).toBe(1);
      expect(await db.collection('_migrations').find({}, { projection: { _id: 0, name: 1 } }).toArray()).toEqual([{ name: '0001_things' }]);
    } finally {
      await client.close();
    }
  });

  // PGlite shares one session between all connections, so an advisory lock cannot make runners wait.
  it.skipIf(!findSystemPostgres())('serializes concurrent runners: each migration is applied once', async () => {
    const target = await freshTarget();
    const migrationsDir = path.join(fixtures, 'migrations');
    const runs = await Promise.all([1, 2, 3].map(() => runMigrations({ ...target, migrationsDir })));
    expect(runs.flatMap((r) => r.postgres).sort()).toEqual(['0001_extensions', '0002_things']);
    expect(runs.flatMap((r) => r.mongo)).toEqual(['0001_things']);
    expect(await query(target.databaseUrl, 'SELECT count(*)::int AS n FROM things')).toEqual([{ n: 1 }]);
  });

  it('refuses to go on when an applied migration was edited, naming it', async () => {
    await withMigratedCopy(async (target, migrationsDir) => {
      await writeFile(path.join(migrationsDir, 'postgres', '0002_things.sql'), 'CREATE TABLE things (id int);\n');
      await expect(runMigrations({ ...target, migrationsDir })).rejects.toThrow(/postgres migration 0002_things changed after it was applied/);
      await writeFile(path.join(migrationsDir, 'postgres', '0003_more.sql'), 'CREATE TABLE more (id int);\n');
      await expect(runMigrations({ ...target, migrationsDir })).rejects.toThrow(/0002_things/);
      expect(await query(target.databaseUrl, "SELECT to_regclass('more') AS t")).toEqual([{ t: null }]);
    });
  });

  it('refuses a new file that takes the version of an applied migration of another name, naming both', async () => {
    await withMigratedCopy(async (target, migrationsDir) => {
      await rm(path.join(migrationsDir, 'postgres', '0002_things.sql'));
      await writeFile(path.join(migrationsDir, 'postgres', '0002_other.sql'), 'CREATE TABLE more (id int);\n');
      await expect(runMigrations({ ...target, migrationsDir })).rejects.toThrow(/0002_other has version 0002, which this database recorded as 0002_things/);
      expect(await query(target.databaseUrl, "SELECT to_regclass('more') AS t")).toEqual([{ t: null }]);
    });
  });

  it('rolls back a failing migration, records none of it, and names it', async () => {
    const target = await freshTarget();
    const migrationsDir = path.join(fixtures, 'broken-migrations');
    await expect(runMigrations({ ...target, migrationsDir })).rejects.toThrow(/postgres migration 0002_broken failed: .*no_such_function/);
    expect(await query(target.databaseUrl, 'SELECT name FROM schema_migrations')).toEqual([{ name: '0001_ok' }]);
    expect(await query(target.databaseUrl, "SELECT to_regclass('half_done') AS t")).toEqual([{ t: null }]);
  });

  it('reads the Mongo database name from the URI path', () => {
    expect(mongoDatabaseName('mongodb://127.0.0.1:1234/flow_test?retryWrites=false')).toBe('flow_test');
    expect(mongoDatabaseName('mongodb+srv://u:p@cluster0.example.net/app')).toBe('app');
    expect(mongoDatabaseName('mongodb://a:1,b:2/?replicaSet=rs')).toBe('flow');
    expect(mongoDatabaseName('mongodb://127.0.0.1:1234')).toBe('flow');
  });
});
