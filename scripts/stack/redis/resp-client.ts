import net from 'node:net';
import { RespReader, encodeCommand } from './resp.ts';
import { ReplyError, type RedisBackend, type RedisReply } from './reply.ts';

interface Waiter {
  expected: number;
  replies: RedisReply[];
  resolve(replies: RedisReply[]): void;
  reject(error: Error): void;
}

/**
 * A RedisBackend over one pipelined TCP connection to redis-server. Each request is written in one
 * piece, so a MULTI ... EXEC block is never interleaved with another request's commands. It
 * reconnects lazily and fails fast: a refused or dropped connection rejects at once, a silent
 * server after `timeoutMs`.
 */
export function createRespBackend(port: number, timeoutMs = 5_000): RedisBackend {
  let socket: net.Socket | undefined;
  const waiting: Waiter[] = [];

  const connect = (): net.Socket => {
    const s = net.connect({ host: '127.0.0.1', port });
    const reader = new RespReader();
    let lastError: Error | undefined;
    s.setNoDelay(true);
    s.on('data', (chunk) => {
      reader.push(chunk);
      for (const reply of reader.take()) {
        const head = waiting[0];
        if (!head) continue;
        head.replies.push(reply);
        if (head.replies.length === head.expected) waiting.shift()!.resolve(head.replies);
      }
    });
    s.on('error', (error) => (lastError = error));
    s.on('close', () => {
      if (socket === s) socket = undefined;
      const why = new Error(`redis at 127.0.0.1:${port} is unreachable (${lastError?.message ?? 'connection closed'})`);
      for (const waiter of waiting.splice(0)) waiter.reject(why);
    });
    return s;
  };

  const send = (commands: string[][]): Promise<RedisReply[]> =>
    new Promise((resolve, reject) => {
      const s = (socket ??= connect());
      const timer = setTimeout(() => s.destroy(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      waiting.push({
        expected: commands.length,
        replies: [],
        resolve: (replies) => (clearTimeout(timer), resolve(replies)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      s.write(Buffer.concat(commands.map(encodeCommand)));
    });

  return {
    pipeline: send,
    async transaction(commands) {
      const replies = await send([['MULTI'], ...commands, ['EXEC']]);
      const exec = replies[replies.length - 1];
      if (exec instanceof ReplyError) return exec;
      return exec as RedisReply[];
    },
    async close() {
      socket?.destroy();
      socket = undefined;
    },
  };
}
