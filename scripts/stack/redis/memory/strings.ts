import { ReplyError } from '../reply.ts';
import { OK, addInt64, parseInt64, parseInteger, syntaxError, type CommandTable } from './args.ts';
import type { Keyspace } from './keyspace.ts';

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] */
function set(ks: Keyspace, [key, value, ...options]: string[]) {
  let condition: 'NX' | 'XX' | undefined;
  let get = false;
  let keepTtl = false;
  let expiresAt: number | undefined;
  let expiryGiven = false;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!.toUpperCase();
    if ((option === 'NX' || option === 'XX') && !condition) condition = option;
    else if (option === 'GET' && !get) get = true;
    else if (option === 'KEEPTTL' && !expiryGiven) keepTtl = expiryGiven = true;
    else if (['EX', 'PX', 'EXAT', 'PXAT'].includes(option) && !expiryGiven && i + 1 < options.length) {
      const amount = parseInteger(options[++i]);
      if (amount <= 0) throw new ReplyError("ERR invalid expire time in 'set' command");
      const ms = option === 'EX' || option === 'EXAT' ? amount * 1000 : amount;
      expiresAt = option.endsWith('AT') ? ms : Date.now() + ms;
      expiryGiven = true;
    } else throw syntaxError();
  }
  const old = get ? ks.read(key!, 'string') : undefined;
  const exists = ks.entry(key!) !== undefined;
  if ((condition === 'NX' && exists) || (condition === 'XX' && !exists)) return get ? (old ?? null) : null;
  ks.setString(key!, value!, expiresAt, keepTtl);
  return get ? (old ?? null) : OK;
}

function incrementBy(ks: Keyspace, key: string, by: bigint) {
  const current = ks.read(key, 'string');
  const base = current === undefined ? 0n : parseInt64(current);
  const next = addInt64(base, by);
  ks.setString(key, next.toString(), undefined, true);
  return Number(next);
}

/** String commands. */
export const stringCommands: CommandTable = {
  get: { arity: 2, run: (ks, [key]) => ks.read(key!, 'string') ?? null },
  set: { arity: -3, run: set },
  getdel: {
    arity: 2,
    run(ks, [key]) {
      const value = ks.read(key!, 'string');
      if (value === undefined) return null;
      ks.delete(key!);
      return value;
    },
  },
  mget: {
    arity: -2,
    run: (ks, keys) => keys.map((key) => {
      const entry = ks.entry(key);
      return entry?.value.type === 'string' ? entry.value.data : null;
    }),
  },
  mset: {
    arity: -3,
    run(ks, args) {
      if (args.length % 2 !== 0) throw new ReplyError("ERR wrong number of arguments for 'mset' command");
      for (let i = 0; i < args.length; i += 2) ks.setString(args[i]!, args[i + 1]!, undefined);
      return OK;
    },
  },
  incr: { arity: 2, run: (ks, [key]) => incrementBy(ks, key!, 1n) },
  decr: { arity: 2, run: (ks, [key]) => incrementBy(ks, key!, -1n) },
  incrby: { arity: 3, run: (ks, [key, by]) => incrementBy(ks, key!, parseInt64(by)) },
  decrby: { arity: 3, run: (ks, [key, by]) => incrementBy(ks, key!, -parseInt64(by)) },
};
