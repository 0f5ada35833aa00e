import { ReplyError, type RedisReply } from './reply.ts';

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

const INCOMPLETE = Symbol('incomplete');

/** Incremental RESP2 reader: feed chunks, take complete replies. Bulk strings stay bytes. */
export class RespReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
  }

  /** Returns every reply that is complete so far. */
  take(): RedisReply[] {
    const replies: RedisReply[] = [];
    let pos = 0;
    for (;;) {
      const parsed = parseAt(this.buffer, pos);
      if (parsed === INCOMPLETE) break;
      replies.push(parsed[0]);
      pos = parsed[1];
    }
    this.buffer = this.buffer.subarray(pos);
    return replies;
  }
}

function parseAt(buf: Buffer, pos: number): [RedisReply, number] | typeof INCOMPLETE {
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd < 0) return INCOMPLETE;
  const line = buf.toString('utf8', pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buf[pos]!)) {
    case '+':
      return [line, next];
    case '-':
      return [new ReplyError(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const length = Number(line);
      if (length < 0) return [null, next];
      if (buf.length < next + length + 2) return INCOMPLETE;
      return [Buffer.from(buf.subarray(next, next + length)), next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return [null, next];
      const items: RedisReply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, at);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`unexpected RESP type byte ${buf[pos]}`);
  }
}
