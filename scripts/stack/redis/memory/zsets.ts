import { ReplyError } from '../reply.ts';
import { formatDouble, indexRange, parseDouble, parseInteger, syntaxError, type CommandTable } from './args.ts';
import type { Keyspace } from './keyspace.ts';

type Bound = { value: number; exclusive: boolean };
type Member = [member: string, score: number];

const byScore = (a: Member, b: Member) =>
  a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;

function sorted(ks: Keyspace, key: string, rev = false): Member[] {
  const members = [...(ks.read(key, 'zset') ?? new Map<string, number>())].sort(byScore);
  return rev ? members.reverse() : members;
}

function bound(text: string | undefined): Bound {
  const exclusive = text?.startsWith('(') ?? false;
  return { value: parseDouble(exclusive ? text!.slice(1) : text, 'ERR min or max is not a float'), exclusive };
}

const within = (score: number, min: Bound, max: Bound) =>
  (min.exclusive ? score > min.value : score >= min.value) && (max.exclusive ? score < max.value : score <= max.value);

const flatten = (members: Member[], withScores: boolean) =>
  withScores ? members.flatMap(([m, s]) => [m, formatDouble(s)]) : members.map(([m]) => m);

function limit(members: Member[], range: [number, number] | undefined): Member[] {
  if (!range) return members;
  const [offset, count] = range;
  if (offset < 0) return [];
  return members.slice(offset, count < 0 ? undefined : offset + count);
}

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] */
function zadd(ks: Keyspace, [key, ...args]: string[]) {
  const flags = new Set<string>();
  while (args.length && ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'].includes(args[0]!.toUpperCase())) {
    flags.add(args.shift()!.toUpperCase());
  }
  if (args.length === 0 || args.length % 2 !== 0) throw syntaxError();
  if (flags.has('NX') && flags.has('XX')) throw new ReplyError('ERR XX and NX options at the same time are not compatible');
  if ((flags.has('GT') || flags.has('LT')) && (flags.has('NX') || (flags.has('GT') && flags.has('LT')))) {
    throw new ReplyError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags.has('INCR') && args.length > 2) throw new ReplyError('ERR INCR option supports a single increment-element pair');
  const pairs: Member[] = [];
  for (let i = 0; i < args.length; i += 2) pairs.push([args[i + 1]!, parseDouble(args[i])]);
  const zset = ks.read(key!, 'zset') ?? (flags.has('XX') ? undefined : ks.write(key!, 'zset', () => new Map()));
  let added = 0;
  let changed = 0;
  let result: number | null = null;
  for (const [member, score] of pairs) {
    const old = zset?.get(member);
    const next = flags.has('INCR') ? (old ?? 0) + score : score;
    if (Number.isNaN(next)) throw new ReplyError('ERR resulting score is not a number (NaN)');
    if (!zset || (flags.has('NX') && old !== undefined) || (flags.has('XX') && old === undefined)) continue;
    if (old !== undefined && ((flags.has('GT') && next <= old) || (flags.has('LT') && next >= old))) continue;
    if (old === undefined) added++;
    else if (old !== next) changed++;
    zset.set(member, next);
    result = next;
  }
  if (zset) ks.dropIfEmpty(key!, zset.size);
  if (flags.has('INCR')) return result === null ? null : formatDouble(result);
  return flags.has('CH') ? added + changed : added;
}

/** ZRANGE key start stop [BYSCORE] [REV] [LIMIT offset count] [WITHSCORES] (BYLEX is outside the contract: Flow does not use it). */
function zrange(ks: Keyspace, [key, start, stop, ...options]: string[]) {
  let scores = false;
  let rev = false;
  let withScores = false;
  let range: [number, number] | undefined;
  for (let i = 0; i < options.length; i++) {
    const option = options[i]!.toUpperCase();
    if (option === 'BYSCORE') scores = true;
    else if (option === 'REV') rev = true;
    else if (option === 'WITHSCORES') withScores = true;
    else if (option === 'LIMIT' && i + 2 < options.length) range = [parseInteger(options[++i]), parseInteger(options[++i])];
    else if (option === 'BYLEX') throw new ReplyError('ERR BYLEX is not supported by the local Redis stand-in');
    else throw syntaxError();
  }
  if (range && !scores) {
    throw new ReplyError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (!scores) {
    const members = sorted(ks, key!, rev);
    return flatten(members.slice(...indexRange(start, stop, members.length)), withScores);
  }
  const [min, max] = rev ? [bound(stop), bound(start)] : [bound(start), bound(stop)];
  const members = sorted(ks, key!, rev).filter(([, s]) => within(s, min, max));
  return flatten(limit(members, range), withScores);
}

/** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
function zrangebyscore(ks: Keyspace, [key, min, max, ...options]: string[]) {
  const rewritten = [key!, min!, max!, 'BYSCORE', ...options];
  return zrange(ks, rewritten);
}

/** Sorted-set commands. */
export const zsetCommands: CommandTable = {
  zadd: { arity: -4, run: zadd },
  zrem: {
    arity: -3,
    run(ks, [key, ...members]) {
      const zset = ks.read(key!, 'zset');
      if (!zset) return 0;
      const removed = members.filter((member) => zset.delete(member)).length;
      ks.dropIfEmpty(key!, zset.size);
      return removed;
    },
  },
  zcard: { arity: 2, run: (ks, [key]) => ks.read(key!, 'zset')?.size ?? 0 },
  zscore: {
    arity: 3,
    run(ks, [key, member]) {
      const score = ks.read(key!, 'zset')?.get(member!);
      return score === undefined ? null : formatDouble(score);
    },
  },
  zincrby: {
    arity: 4,
    run(ks, [key, by, member]) {
      const increment = parseDouble(by);
      const zset = ks.write(key!, 'zset', () => new Map());
      const next = (zset.get(member!) ?? 0) + increment;
      if (Number.isNaN(next)) throw new ReplyError('ERR resulting score is not a number (NaN)');
      zset.set(member!, next);
      return formatDouble(next);
    },
  },
  zrange: { arity: -4, run: zrange },
  zrangebyscore: { arity: -4, run: zrangebyscore },
  zremrangebyscore: {
    arity: 4,
    run(ks, [key, min, max]) {
      const [lo, hi] = [bound(min), bound(max)];
      const zset = ks.read(key!, 'zset');
      if (!zset) return 0;
      const doomed = [...zset].filter(([, s]) => within(s, lo, hi)).map(([m]) => m);
      for (const member of doomed) zset.delete(member);
      ks.dropIfEmpty(key!, zset.size);
      return doomed.length;
    },
  },
  zcount: {
    arity: 4,
    run(ks, [key, min, max]) {
      const [lo, hi] = [bound(min), bound(max)];
      return [...(ks.read(key!, 'zset') ?? new Map<string, number>()).values()].filter((s) => within(s, lo, hi)).length;
    },
  },
};
