import { BSON } from 'mongodb';

/** Collection methods the MongoPool object runs on behalf of a Worker (read or write one collection). */
export const mongoOperations = [
  'find', 'findOne', 'countDocuments', 'distinct', 'aggregate',
  'insertOne', 'insertMany', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany',
  'findOneAndUpdate', 'findOneAndDelete', 'bulkWrite',
] as const;
export type MongoOperation = (typeof mongoOperations)[number];

export interface MongoRequest {
  collection: string;
  operation: MongoOperation | 'ping';
  args: unknown[];
}

export type MongoReply =
  | { ok: true; value: unknown }
  | { ok: false; outage: boolean; code?: number | string; message: string };

// Extended JSON keeps ObjectId, Date, Binary and friends intact across the RPC boundary.
export const encodeMongo = (value: unknown): string => BSON.EJSON.stringify(value as BSON.Document);
export const decodeMongo = <T>(text: string): T => BSON.EJSON.parse(text) as T;
