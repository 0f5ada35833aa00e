import { ReplyError } from '../reply.ts';

interface DataByType {
  string: string;
  hash: Map<string, string>;
  set: Set<string>;
  zset: Map<string, number>;
  list: string[];
}
export type TypeName = keyof DataByType;
type DataOf<T extends TypeName> = DataByType[T];
export type Value = { [T in TypeName]: { type: T; data: DataByType[T] } }[TypeName];

export interface Entry {
  value: Value;
  /** Epoch ms; undefined = no TTL. */
  expiresAt: number | undefined;
  /** Creation order; SCAN cursors are built on it (see scan in keys.ts). */
  seq: number;
}

export type SnapshotRow = [key: string, type: TypeName, data: unknown, expiresAt: number | null];

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** The keys of the in-process Redis, with lazy expiry on access and a periodic sweep. */
export class Keyspace {
  private entries = new Map<string, Entry>();
  private nextSeq = 1;

  /** The live entry of a key (an expired one is deleted here, like Redis's lazy expiry). */
  entry(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The key's data when it holds `type`; WRONGTYPE when it holds another. */
  read<T extends TypeName>(key: string, type: T): DataOf<T> | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if (entry.value.type !== type) throw new ReplyError(WRONGTYPE);
    return entry.value.data as unknown as DataOf<T>;
  }

  /** The key's container of `type`, created empty when the key is missing. */
  write<T extends TypeName>(key: string, type: T, create: () => DataOf<T>): DataOf<T> {
    const existing = this.read(key, type);
    if (existing !== undefined) return existing;
    const data = create();
    this.entries.set(key, { value: { type, data } as Value, expiresAt: undefined, seq: this.nextSeq++ });
    return data;
  }

  /** Stores a string, replacing any value; `keepTtl` keeps the current expiry (SET KEEPTTL, INCR). */
  setString(key: string, data: string, expiresAt: number | undefined, keepTtl = false): void {
    const entry = this.entry(key);
    if (entry) {
      entry.value = { type: 'string', data };
      if (!keepTtl) entry.expiresAt = expiresAt;
      return;
    }
    this.entries.set(key, { value: { type: 'string', data }, expiresAt, seq: this.nextSeq++ });
  }

  delete(key: string): boolean {
    return this.entry(key) !== undefined && this.entries.delete(key);
  }

  /** Removes a container key once it is empty (Redis never keeps empty hashes, sets, lists, zsets). */
  dropIfEmpty(key: string, size: number): void {
    if (size === 0) this.entries.delete(key);
  }

  /** Live entries in creation order. */
  *live(): Generator<[string, Entry]> {
    for (const key of [...this.entries.keys()]) {
      const entry = this.entry(key);
      if (entry) yield [key, entry];
    }
  }

  size(): number {
    this.sweep();
    return this.entries.size;
  }

  flush(): void {
    this.entries.clear();
  }

  /** Live keys as JSON-safe rows (scores as text: JSON has no Infinity), for the persisted stand-in. */
  dump(): SnapshotRow[] {
    return [...this.live()].map(([key, { value, expiresAt }]) => {
      const data = value.type === 'zset'
        ? [...value.data].map(([member, score]) => [member, String(score)])
        : value.data instanceof Map || value.data instanceof Set ? [...value.data] : value.data;
      return [key, value.type, data, expiresAt ?? null] as SnapshotRow;
    });
  }

  /** Loads rows written by dump(), skipping keys that expired meanwhile. */
  load(rows: SnapshotRow[]): void {
    for (const [key, type, data, expiresAt] of rows) {
      if (expiresAt !== null && expiresAt <= Date.now()) continue;
      const restored = type === 'zset'
        ? new Map((data as [string, string][]).map(([member, score]) => [member, Number(score)]))
        : type === 'hash' ? new Map(data as [string, string][]) : type === 'set' ? new Set(data as string[]) : data;
      this.entries.set(key, { value: { type, data: restored } as Value, expiresAt: expiresAt ?? undefined, seq: this.nextSeq++ });
    }
  }

  /** Active expiry: drops every expired key. */
  sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
