/** An error reply of a Redis command (the message starts with its code, e.g. `ERR`, `WRONGTYPE`). */
export class ReplyError extends Error {
  override name = 'ReplyError';
}

/** A Redis reply as both backends produce it (RESP2 shapes: status and bulk strings, integers, nil, arrays). */
export type RedisReply = null | number | string | Uint8Array | ReplyError | RedisReply[];

/** What the Upstash REST endpoint runs commands on: redis-server over TCP, or the in-process stand-in. */
export interface RedisBackend {
  /** Runs the commands in order; a failing command's reply is a ReplyError. Rejects when Redis is unreachable. */
  pipeline(commands: string[][]): Promise<RedisReply[]>;
  /** Runs the commands as MULTI/EXEC; a queue-time error (unknown command, arity) aborts all with EXECABORT. */
  transaction(commands: string[][]): Promise<RedisReply[] | ReplyError>;
  close(): Promise<void>;
}
