// `npm run dev`: the local stack (see stack.ts), then `wrangler dev`; Ctrl-C or wrangler's exit stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { bringUpLocalStack, untilSignal } from './stack/local-dev.ts';

const root = path.resolve(import.meta.dirname, '..');
try {
  const stack = await bringUpLocalStack(root);
  const port = process.env.FLOW_PORT ?? '8787';
  const wrangler = spawn(path.join(root, 'node_modules/.bin/wrangler'), ['dev', '--ip', '127.0.0.1', '--port', port], {
    cwd: root,
    stdio: 'inherit',
    // Skips wrangler's lookup of workers.cloudflare.com, which only adds noise offline.
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  });
  const exited = new Promise<number | null>((resolve) => wrangler.once('exit', (code) => resolve(code)));
  const first = await Promise.race([exited.then(() => 'wrangler' as const), untilSignal()]);
  if (first !== 'wrangler') {
    // Ctrl-C in a terminal reaches wrangler too; a SIGTERM to us alone does not, so pass it on.
    wrangler.kill('SIGINT');
    const killer = setTimeout(() => wrangler.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
  console.log('\nStopping the stores...');
  await stack.stop();
  process.exitCode = first === 'wrangler' ? ((await exited) ?? 1) : 0;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
