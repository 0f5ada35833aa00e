import http from 'node:http';
import { closeServer, listenLocal } from './ports.ts';
import type { RunningStack, StoreName } from './types.ts';

const ROUTE = /^\/stores\/(postgres|redis|mongo)\/(stop|start)$/;

/**
 * An HTTP endpoint on 127.0.0.1 that lets fault tests running inside workerd stop and start stores:
 * `POST /stores/:name/stop` and `POST /stores/:name/start` answer 204 once done; `GET /stores` lists them.
 */
export async function startControlServer(stack: RunningStack): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const path = req.url?.split('?')[0] ?? '';
    const route = ROUTE.exec(path);
    try {
      if (req.method === 'POST' && route) {
        const name = route[1] as StoreName;
        await (route[2] === 'stop' ? stack.stopStore(name) : stack.startStore(name));
        res.writeHead(204).end();
      } else if (req.method === 'GET' && path === '/stores') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stack.stores));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
      }
    } catch (error) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: (error as Error).message }));
    }
  });
  const port = await listenLocal(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
