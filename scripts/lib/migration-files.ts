import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One migration file: `NNNN_name.ext`, applied in NNNN order. */
export interface MigrationFile {
  version: number;
  /** The file name without its extension, e.g. `0002_identity`; what gets recorded and reported. */
  name: string;
  file: string;
  checksum: string;
}

/** The migration files of a folder (missing folder = none), sorted by version; duplicate versions are an error. */
export async function listMigrations(dir: string, extension: '.sql' | '.ts'): Promise<MigrationFile[]> {
  if (!existsSync(dir)) return [];
  const pattern = new RegExp(`^(\\d{4})_[\\w-]+\\${extension}$`);
  const files = (await readdir(dir)).filter((f) => pattern.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (f) => {
      const file = path.join(dir, f);
      // Line endings normalized: a checkout with CRLF must not look like an edited migration.
      const text = (await readFile(file, 'utf8')).replace(/\r\n/g, '\n');
      return {
        version: Number(f.slice(0, 4)),
        name: f.slice(0, -extension.length),
        file,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    }),
  );
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`two migrations share version ${migrations[i]!.version}: ${migrations[i - 1]!.name}, ${migrations[i]!.name}`);
    }
  }
  return migrations;
}

/**
 * Fails when an applied migration's file changed since, or when a pending file takes a version
 * already recorded under another name (a migration renamed or replaced after it ran), naming
 * both; returns the ones still to apply.
 */
export function pendingMigrations(
  files: MigrationFile[],
  applied: Array<{ name: string; checksum: string }>,
  store: string,
): MigrationFile[] {
  const recorded = new Map(applied.map((a) => [a.name, a.checksum]));
  for (const file of files) {
    const checksum = recorded.get(file.name);
    if (checksum !== undefined && checksum !== file.checksum) {
      throw new Error(`${store} migration ${file.name} changed after it was applied (${path.basename(file.file)}); ` +
        'add a new migration instead of editing an applied one');
    }
  }
  const pending = files.filter((file) => !recorded.has(file.name));
  const recordedByVersion = new Map(applied.map((a) => [a.name.slice(0, 4), a.name]));
  for (const file of pending) {
    const taken = recordedByVersion.get(file.name.slice(0, 4));
    if (taken !== undefined) {
      throw new Error(`${store} migration ${file.name} has version ${file.name.slice(0, 4)}, which this database recorded as ${taken}: ` +
        'a migration was renamed or replaced after it ran; give the new one the next free number');
    }
  }
  return pending;
}
