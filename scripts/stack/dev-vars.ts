import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

/** Reads KEY=value lines of a `.dev.vars` file (missing file = empty); quotes around values are removed. */
export async function readDevVars(file: string): Promise<Record<string, string>> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const match = LINE.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/**
 * Sets the given keys in a `.dev.vars` file and keeps every other line a developer wrote.
 * A key given as undefined is removed (e.g. NEON_LOCAL_PROXY when Postgres is remote).
 */
export async function writeDevVars(file: string, values: Record<string, string | undefined>): Promise<void> {
  const lines = existsSync(file) ? (await readFile(file, 'utf8')).replace(/\n$/, '').split('\n') : [];
  const pending = new Map(Object.entries(values));
  const kept = lines.flatMap((line) => {
    const key = line.trimStart().startsWith('#') ? undefined : LINE.exec(line)?.[1];
    if (key === undefined || !pending.has(key)) return [line];
    const value = pending.get(key);
    pending.delete(key);
    return value === undefined ? [] : [`${key}=${value}`];
  });
  for (const [key, value] of pending) if (value !== undefined) kept.push(`${key}=${value}`);
  await writeFile(file, `${kept.join('\n')}\n`);
}
