import { ReplyError } from '../reply.ts';
import { addInt64, parseInt64, type CommandTable } from './args.ts';

/** Hash commands. */
export const hashCommands: CommandTable = {
  hset: {
    arity: -4,
    run(ks, [key, ...pairs]) {
      if (pairs.length % 2 !== 0) throw new ReplyError("ERR wrong number of arguments for 'hset' command");
      const hash = ks.write(key!, 'hash', () => new Map());
      let added = 0;
      for (let i = 0; i < pairs.length; i += 2) {
        if (!hash.has(pairs[i]!)) added++;
        hash.set(pairs[i]!, pairs[i + 1]!);
      }
      return added;
    },
  },
  hget: { arity: 3, run: (ks, [key, field]) => ks.read(key!, 'hash')?.get(field!) ?? null },
  hmget: {
    arity: -3,
    run(ks, [key, ...fields]) {
      const hash = ks.read(key!, 'hash');
      return fields.map((field) => hash?.get(field) ?? null);
    },
  },
  hgetall: { arity: 2, run: (ks, [key]) => [...(ks.read(key!, 'hash') ?? new Map<string, string>())].flat() },
  hdel: {
    arity: -3,
    run(ks, [key, ...fields]) {
      const hash = ks.read(key!, 'hash');
      if (!hash) return 0;
      const removed = fields.filter((field) => hash.delete(field)).length;
      ks.dropIfEmpty(key!, hash.size);
      return removed;
    },
  },
  hincrby: {
    arity: 4,
    run(ks, [key, field, by]) {
      const increment = parseInt64(by);
      const hash = ks.write(key!, 'hash', () => new Map());
      const current = hash.get(field!);
      const base = current === undefined ? 0n : parseInt64(current, 'ERR hash value is not an integer');
      const next = addInt64(base, increment);
      hash.set(field!, next.toString());
      return Number(next);
    },
  },
  hexists: { arity: 3, run: (ks, [key, field]) => (ks.read(key!, 'hash')?.has(field!) ? 1 : 0) },
  hlen: { arity: 2, run: (ks, [key]) => ks.read(key!, 'hash')?.size ?? 0 },
};

/** Set commands. */
export const setCommands: CommandTable = {
  sadd: {
    arity: -3,
    run(ks, [key, ...members]) {
      const set = ks.write(key!, 'set', () => new Set());
      const before = set.size;
      for (const member of members) set.add(member);
      return set.size - before;
    },
  },
  srem: {
    arity: -3,
    run(ks, [key, ...members]) {
      const set = ks.read(key!, 'set');
      if (!set) return 0;
      const removed = members.filter((member) => set.delete(member)).length;
      ks.dropIfEmpty(key!, set.size);
      return removed;
    },
  },
  smembers: { arity: 2, run: (ks, [key]) => [...(ks.read(key!, 'set') ?? [])] },
  sismember: { arity: 3, run: (ks, [key, member]) => (ks.read(key!, 'set')?.has(member!) ? 1 : 0) },
  scard: { arity: 2, run: (ks, [key]) => ks.read(key!, 'set')?.size ?? 0 },
};
