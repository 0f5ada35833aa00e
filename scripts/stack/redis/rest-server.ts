import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { closeServer, listenLocal } from '../ports.ts';
import { ReplyError, type RedisBackend, type RedisReply } from './reply.ts';

// Commands that change the state of the shared connection or block it: fine over a private TCP
// connection, harmful over one shared by every REST request.
const REFUSED = new Set(['multi', 'exec', 'discard', 'watch', 'unwatch', 'select', 'hello', 'auth', 'quit',
  'reset', 'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor',
  'sync', 'psync', 'shutdown', 'blpop', 'brpop', 'blmove', 'brpoplpush', 'bzpopmin', 'bzpopmax', 'blmpop',
  'bzmpop', 'wait', 'waitaof', 'xread', 'xreadgroup', 'client']);

class BadRequest extends Error {}

/**
 * Serves Upstash's REST protocol in front of a RedisBackend: `POST /` one command, `/pipeline`,
 * `/multi-exec`; Bearer token; `Upstash-Encoding: base64` encodes every string of the result.
 */
export async function startUpstashRest(backend: RedisBackend, token: string): Promise<{ url: string; close(): Promise<void> }> {
  const expected = Buffer.from(`Bearer ${token}`);
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return send(401, { error: 'Unauthorized' });
    const path = req.url?.split('?')[0];
    const base64 = String(req.headers['upstash-encoding']).toLowerCase() === 'base64';
    const item = (reply: RedisReply) =>
      reply instanceof ReplyError ? { error: reply.message } : { result: encode(reply, base64) };
    try {
      if (req.method !== 'POST' || !['/', '/pipeline', '/multi-exec'].includes(path ?? '')) {
        return send(404, { error: 'ERR only POST /, /pipeline and /multi-exec are served locally' });
      }
      const body: unknown = JSON.parse(await readBody(req));
      if (path === '/') {
        const [reply] = await backend.pipeline([command(body)]);
        return reply instanceof ReplyError ? send(400, item(reply)) : send(200, item(reply!));
      }
      if (!Array.isArray(body) || body.length === 0) throw new BadRequest('ERR expected an array of commands');
      const commands = body.map(command);
      if (path === '/pipeline') return send(200, (await backend.pipeline(commands)).map(item));
      const replies = await backend.transaction(commands);
      return replies instanceof ReplyError ? send(400, item(replies)) : send(200, replies.map(item));
    } catch (error) {
      if (error instanceof BadRequest || error instanceof SyntaxError) return send(400, { error: error.message });
      return send(503, { error: `UNAVAILABLE redis is not reachable: ${(error as Error).message}` });
    }
  });
  const port = await listenLocal(server);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/** A JSON command (`["SET", "k", "v", "EX", 10]`) as Redis arguments. */
function command(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest('ERR failed to parse command');
  const args = value.map((arg) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw new BadRequest('ERR failed to parse command');
  });
  if (REFUSED.has(args[0]!.toLowerCase())) {
    throw new BadRequest(`ERR '${args[0]}' is not allowed over the REST endpoint`);
  }
  return args;
}

function encode(reply: RedisReply, base64: boolean): unknown {
  if (reply === null || typeof reply === 'number') return reply;
  if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
  if (reply instanceof ReplyError) return reply.message;
  const bytes = typeof reply === 'string' ? Buffer.from(reply, 'utf8') : Buffer.from(reply);
  return base64 ? bytes.toString('base64') : bytes.toString('utf8');
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
