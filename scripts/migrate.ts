// `npm run migrate`: applies pending migrations to DATABASE_URL and MONGODB_URI (environment first, then .dev.vars).
import path from 'node:path';
import { runMigrations } from './lib/migrate.ts';
import { readDevVars } from './stack/dev-vars.ts';

const root = path.resolve(import.meta.dirname, '..');
const devVars = await readDevVars(path.join(root, '.dev.vars'));
const databaseUrl = process.env.DATABASE_URL ?? devVars.DATABASE_URL;
const mongoUri = process.env.MONGODB_URI ?? devVars.MONGODB_URI;
if (!databaseUrl || !mongoUri) {
  console.error('DATABASE_URL and MONGODB_URI are needed (environment or .dev.vars; `npm run stack` writes them).');
  process.exit(1);
}
try {
  const applied = await runMigrations({
    databaseUrl,
    mongoUri,
    migrationsDir: path.join(root, 'migrations'),
    log: (line) => console.log(line),
  });
  const count = applied.postgres.length + applied.mongo.length;
  console.log(count ? `Applied ${count} migration(s).` : 'Nothing to apply: every migration is already applied.');
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
