// `npm run stack`: the local stores (persisted in .flow/), migrated, with .dev.vars written; Ctrl-C stops them.
import path from 'node:path';
import { bringUpLocalStack, untilSignal } from './stack/local-dev.ts';

const root = path.resolve(import.meta.dirname, '..');
try {
  const stack = await bringUpLocalStack(root);
  console.log('Stores are up. Ctrl-C stops them.');
  await untilSignal();
  console.log('\nStopping the stores...');
  await stack.stop();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
