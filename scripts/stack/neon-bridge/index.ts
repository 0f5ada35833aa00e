import http from 'node:http';
import { WebSocketServer } from 'ws';
import { closeServer, listenLocal } from '../ports.ts';
import { createSqlOverHttp } from './sql-over-http.ts';
import { tunnel } from './ws-tunnel.ts';

const LOCAL_TARGET = /^(127\.0\.0\.1|localhost):(\d{1,5})$/;

/**
 * Starts the bridge that lets the Neon driver reach a plain local Postgres: `POST /sql` (HTTP
 * queries, `neonConfig.fetchEndpoint`) and WebSocket `/v2?address=host:port` (`neonConfig.wsProxy`).
 */
export async function startNeonBridge(): Promise<{ url: string; close(): Promise<void> }> {
  const sql = createSqlOverHttp();
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/sql') return void sql.handle(req, res);
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    const target = LOCAL_TARGET.exec(url.searchParams.get('address') ?? '');
    if (url.pathname !== '/v2' || !target) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => tunnel(ws, target[1]!, Number(target[2])));
  });
  const port = await listenLocal(server);
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await closeServer(server);
      await sql.close();
    },
  };
}
