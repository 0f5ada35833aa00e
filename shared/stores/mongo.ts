import type { AnyBulkWriteOperation, Document, Filter, FindOneAndUpdateOptions, FindOptions, OptionalUnlessRequiredId, UpdateFilter } from 'mongodb';
import type { MongoPool } from '../../durable-objects/mongo-pool.ts';
import { decodeMongo, encodeMongo, type MongoOperation, type MongoReply } from './mongo-protocol.ts';
import { guardStoreCall, type GuardedCall, type GuardSettings } from './guard.ts';

/** A collection as the services see it: the driver's common methods, results already materialized. */
export interface MongoCollection<T extends Document> {
  find(filter: Filter<T>, options?: Pick<FindOptions, 'sort' | 'limit' | 'skip' | 'projection'>): Promise<T[]>;
  findOne(filter: Filter<T>, options?: Pick<FindOptions, 'sort' | 'projection'>): Promise<T | null>;
  countDocuments(filter: Filter<T>): Promise<number>;
  distinct(key: string, filter?: Filter<T>): Promise<unknown[]>;
  aggregate<R = Document>(pipeline: Document[]): Promise<R[]>;
  insertOne(document: OptionalUnlessRequiredId<T>): Promise<{ insertedId: unknown }>;
  insertMany(documents: OptionalUnlessRequiredId<T>[], options?: { ordered?: boolean }): Promise<{ insertedCount: number }>;
  updateOne(filter: Filter<T>, update: UpdateFilter<T>, options?: { upsert?: boolean }): Promise<UpdateOutcome>;
  updateMany(filter: Filter<T>, update: UpdateFilter<T>, options?: { upsert?: boolean }): Promise<UpdateOutcome>;
  replaceOne(filter: Filter<T>, replacement: T, options?: { upsert?: boolean }): Promise<UpdateOutcome>;
  deleteOne(filter: Filter<T>): Promise<{ deletedCount: number }>;
  deleteMany(filter: Filter<T>): Promise<{ deletedCount: number }>;
  findOneAndUpdate(filter: Filter<T>, update: UpdateFilter<T>, options?: Pick<FindOneAndUpdateOptions, 'upsert' | 'returnDocument' | 'projection' | 'sort'>): Promise<T | null>;
  findOneAndDelete(filter: Filter<T>): Promise<T | null>;
  bulkWrite(operations: AnyBulkWriteOperation<T>[], options?: { ordered?: boolean }): Promise<{ insertedCount: number; upsertedCount: number; modifiedCount: number; deletedCount: number }>;
}

export interface UpdateOutcome {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
  upsertedId: unknown;
}

/** MongoDB port: collections reached through the region's MongoPool Durable Object. */
export interface MongoStore {
  collection<T extends Document>(name: string): MongoCollection<T>;
  ping(call?: GuardedCall): Promise<void>;
}

export interface MongoSettings extends GuardSettings {
  pool: DurableObjectNamespace<MongoPool>;
  /** Which regional pool to use, e.g. the request's continent. */
  region: string;
}

/** The store answered with an error of its own (duplicate key, bad update): not an outage. */
export class MongoCommandError extends Error {
  readonly code: number | string | undefined;
  constructor(message: string, code: number | string | undefined) {
    super(message);
    this.name = 'MongoCommandError';
    this.code = code;
  }
}

class MongoOutageError extends Error {
  override name = 'MongoOutageError';
}

const isMongoOutage = (error: unknown) => !(error instanceof MongoCommandError) && error instanceof Error;

const locationHints: Record<string, DurableObjectLocationHint> = {
  NA: 'enam', SA: 'sam', EU: 'weur', AF: 'afr', AS: 'apac', OC: 'oc',
};

export function createMongo(settings: MongoSettings): MongoStore {
  const stub = settings.pool.get(settings.pool.idFromName(`mongo-pool:${settings.region}`), {
    locationHint: locationHints[settings.region],
  });
  const execute = (collection: string, operation: MongoOperation | 'ping', args: unknown[], call?: GuardedCall) =>
    guardStoreCall('mongo', settings, isMongoOutage, async () => {
      const reply = decodeMongo<MongoReply>(await stub.execute(encodeMongo({ collection, operation, args })));
      if (reply.ok) return reply.value;
      throw reply.outage ? new MongoOutageError(reply.message) : new MongoCommandError(reply.message, reply.code);
    }, call);

  const collection = <T extends Document>(name: string): MongoCollection<T> => {
    const bind = (operation: MongoOperation, reads = false) =>
      (...args: unknown[]) => execute(name, operation, args, reads ? { retries: 2 } : undefined);
    return {
      find: bind('find', true),
      findOne: bind('findOne', true),
      countDocuments: bind('countDocuments', true),
      distinct: bind('distinct', true),
      aggregate: bind('aggregate', true),
      insertOne: bind('insertOne'),
      insertMany: bind('insertMany'),
      updateOne: bind('updateOne'),
      updateMany: bind('updateMany'),
      replaceOne: bind('replaceOne'),
      deleteOne: bind('deleteOne'),
      deleteMany: bind('deleteMany'),
      findOneAndUpdate: bind('findOneAndUpdate'),
      findOneAndDelete: bind('findOneAndDelete'),
      bulkWrite: bind('bulkWrite'),
    } as MongoCollection<T>;
  };

  return {
    collection,
    ping: async (call) => {
      await execute('', 'ping', [], call);
    },
  };
}
