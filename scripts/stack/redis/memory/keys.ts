import { ReplyError } from '../reply.ts';
import { OK, globToRegExp, parseInteger, syntaxError, type CommandTable } from './args.ts';
import type { Keyspace } from './keyspace.ts';

/** EXPIRE/PEXPIRE key time [NX|XX|GT|LT]; a missing TTL counts as infinite for GT/LT, like Redis. */
function expire(unitMs: number) {
  return (ks: Keyspace, [key, time, ...flags]: string[]) => {
    const amount = parseInteger(time);
    const set = new Set(flags.map((flag) => flag.toUpperCase()));
    for (const flag of set) if (!['NX', 'XX', 'GT', 'LT'].includes(flag)) throw new ReplyError(`ERR Unsupported option ${flag}`);
    if (set.has('NX') && (set.has('XX') || set.has('GT') || set.has('LT'))) {
      throw new ReplyError('ERR NX and XX, GT or LT options at the same time are not compatible');
    }
    if (set.has('GT') && set.has('LT')) throw new ReplyError('ERR GT and LT options at the same time are not compatible');
    const entry = ks.entry(key!);
    if (!entry) return 0;
    const when = Date.now() + amount * unitMs;
    const current = entry.expiresAt;
    if (set.has('NX') && current !== undefined) return 0;
    if (set.has('XX') && current === undefined) return 0;
    if (set.has('GT') && (current === undefined || when <= current)) return 0;
    if (set.has('LT') && current !== undefined && when >= current) return 0;
    if (when <= Date.now()) ks.delete(key!);
    else entry.expiresAt = when;
    return 1;
  };
}

function ttl(unitMs: number) {
  return (ks: Keyspace, [key]: string[]) => {
    const entry = ks.entry(key!);
    if (!entry) return -2;
    if (entry.expiresAt === undefined) return -1;
    const left = Math.max(0, entry.expiresAt - Date.now());
    return unitMs === 1 ? left : Math.floor((left + 500) / 1000);
  };
}

/**
 * SCAN cursor [MATCH p] [COUNT n] [TYPE t]. The cursor is the creation number of the last key looked
 * at; keys are kept in creation order, so a key that exists for the whole iteration is returned
 * exactly once, as Redis guarantees.
 */
function scan(ks: Keyspace, [cursorArg, ...options]: string[]) {
  const cursor = parseInteger(cursorArg, 'ERR invalid cursor');
  let match: RegExp | undefined;
  let count = 10;
  let type: string | undefined;
  for (let i = 0; i < options.length; i += 2) {
    const option = options[i]!.toUpperCase();
    const value = options[i + 1];
    if (value === undefined) throw syntaxError();
    if (option === 'MATCH') match = globToRegExp(value);
    else if (option === 'COUNT') count = parseInteger(value);
    else if (option === 'TYPE') type = value.toLowerCase();
    else throw syntaxError();
  }
  if (count < 1) throw syntaxError();
  const keys: string[] = [];
  let seen = 0;
  for (const [key, entry] of ks.live()) {
    if (entry.seq <= cursor) continue;
    if ((!match || match.test(key)) && (!type || entry.value.type === type)) keys.push(key);
    if (++seen === count) return [String(entry.seq), keys];
  }
  return ['0', keys];
}

const del = (ks: Keyspace, keys: string[]) => keys.filter((key) => ks.delete(key)).length;

/** Keyspace and server commands. */
export const keyCommands: CommandTable = {
  ping: {
    arity: -1,
    run(_ks, args) {
      if (args.length > 1) throw new ReplyError("ERR wrong number of arguments for 'ping' command");
      return args[0] ?? 'PONG';
    },
  },
  echo: { arity: 2, run: (_ks, [message]) => message! },
  del: { arity: -2, run: del },
  unlink: { arity: -2, run: del },
  exists: { arity: -2, run: (ks, keys) => keys.filter((key) => ks.entry(key)).length },
  expire: { arity: -3, run: expire(1000) },
  pexpire: { arity: -3, run: expire(1) },
  ttl: { arity: 2, run: ttl(1000) },
  pttl: { arity: 2, run: ttl(1) },
  persist: {
    arity: 2,
    run(ks, [key]) {
      const entry = ks.entry(key!);
      if (entry?.expiresAt === undefined) return 0;
      entry.expiresAt = undefined;
      return 1;
    },
  },
  type: { arity: 2, run: (ks, [key]) => ks.entry(key!)?.value.type ?? 'none' },
  scan: { arity: -2, run: scan },
  keys: {
    arity: 2,
    run(ks, [pattern]) {
      const re = globToRegExp(pattern!);
      return [...ks.live()].map(([key]) => key).filter((key) => re.test(key));
    },
  },
  dbsize: { arity: 1, run: (ks) => ks.size() },
  flushdb: { arity: -1, run: (ks) => (ks.flush(), OK) },
  flushall: { arity: -1, run: (ks) => (ks.flush(), OK) },
};
