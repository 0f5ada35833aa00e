import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../shared/errors.ts';
import { testStores } from '../../support/stores.ts';

const table = `probe_${crypto.randomUUID().replaceAll('-', '')}`;
const { postgres } = testStores();

describe('Postgres through the Neon driver', () => {
  beforeAll(async () => {
    await postgres.query(`create table ${table} (id int primary key, n int not null default 0, label text)`);
    await postgres.query(`insert into ${table} (id) values (1)`);
  });
  afterAll(async () => {
    await postgres.query(`drop table if exists ${table}`);
  });

  it('runs parameterized one-shot queries over HTTP with typed results', async () => {
    const rows = await postgres.query<{ sum: number; now: Date; label: string }>('select $1::int + $2::int as sum, now() as now, $3::text as label', [2, 3, "O'Brien"]);
    expect(rows).toEqual([{ sum: 5, now: expect.any(Date), label: "O'Brien" }]);
  });

  it('has the migrated schema with PostGIS available', async () => {
    const [row] = await postgres.query<{ version: string }>('select postgis_version() as version');
    expect(row?.version).toMatch(/^3\./);
  });

  it('passes a query error through with its SQLSTATE instead of calling the store down', async () => {
    const error = await postgres.query('select 1 / 0').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
    expect((error as { code?: string }).code).toBe('22012');
  });

  it('rolls a transaction back when its work throws', async () => {
    await expect(postgres.transaction(async (tx) => {
      await tx.query(`insert into ${table} (id, label) values (2, 'ghost')`);
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(await postgres.query(`select id from ${table} where id = 2`)).toEqual([]);
  });

  it('commits a transaction whose work succeeds', async () => {
    const label = await postgres.transaction(async (tx) => {
      await tx.query(`insert into ${table} (id, label) values (3, $1)`, ['kept']);
      const [row] = await tx.query<{ label: string }>(`select label from ${table} where id = 3`);
      return row?.label;
    });
    expect(label).toBe('kept');
    expect(await postgres.query(`select label from ${table} where id = 3`)).toEqual([{ label: 'kept' }]);
  });

  it('keeps every increment of 20 concurrent transactions on one row', async () => {
    await Promise.all(Array.from({ length: 20 }, () => postgres.transaction(async (tx) => {
      const [row] = await tx.query<{ n: number }>(`select n from ${table} where id = 1 for update`);
      await tx.query(`update ${table} set n = $1 where id = 1`, [(row?.n ?? 0) + 1]);
    })));
    expect(await postgres.query(`select n from ${table} where id = 1`)).toEqual([{ n: 20 }]);
  });
});
