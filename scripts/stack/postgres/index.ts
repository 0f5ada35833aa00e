import { findSystemPostgres, startSystemPostgres } from './system.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import type { StartedStore } from '../types.ts';

/** Starts the system Postgres when it has PostGIS, else the embedded PGlite. */
export async function startPostgres(options: { dataDir: string; persist: boolean }): Promise<StartedStore> {
  const system = findSystemPostgres();
  if (system) return startSystemPostgres({ ...system, dataDir: options.dataDir, persist: options.persist });
  return startEmbeddedPostgres(options);
}
