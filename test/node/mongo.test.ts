import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongo } from '../../scripts/stack/mongo.ts';
import type { StartedStore } from '../../scripts/stack/types.ts';

// What the stand-in does with the official driver; the gaps are asserted so that an upgrade that
// closes one shows up here (and the list in scripts/stack/mongo.ts gets updated).
let mongo: StartedStore;
let client: MongoClient;
let db: Db;
beforeAll(async () => {
  mongo = await startMongo({ dataDir: '', persist: false });
  client = new MongoClient(mongo.env.MONGODB_URI!);
  db = client.db();
});
afterAll(async () => {
  await client?.close();
  await mongo?.store.close();
});

describe('CongoDB with the official driver', () => {
  it('pings, runs CRUD, findOneAndUpdate, upserts, bulkWrite, createIndexes and aggregate', async () => {
    expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const posts = db.collection<{ author: string; likes: number; tags?: string[]; edited?: boolean }>('posts');
    const { insertedId } = await posts.insertOne({ author: 'a', likes: 0, tags: ['x'] });
    await posts.updateOne({ _id: insertedId }, { $inc: { likes: 2 }, $push: { tags: 'y' } });
    expect(await posts.findOneAndUpdate({ _id: insertedId }, { $set: { edited: true } }, { returnDocument: 'after' }))
      .toMatchObject({ likes: 2, tags: ['x', 'y'], edited: true });
    expect(await posts.updateOne({ author: 'b' }, { $setOnInsert: { likes: 5 } }, { upsert: true })).toMatchObject({ upsertedCount: 1 });
    expect(await posts.bulkWrite([
      { insertOne: { document: { author: 'c', likes: 1 } } },
      { updateMany: { filter: {}, update: { $inc: { likes: 1 } } } },
      { deleteOne: { filter: { author: 'b' } } },
    ])).toMatchObject({ insertedCount: 1, modifiedCount: 3, deletedCount: 1 });
    expect(await posts.createIndexes([{ key: { author: 1, likes: -1 } }])).toEqual(['author_1_likes_-1']);
    expect(await posts.aggregate([{ $group: { _id: null, likes: { $sum: '$likes' } } }]).toArray()).toEqual([{ _id: null, likes: 5 }]);
    expect(await posts.find({}, { projection: { _id: 0, author: 1 } }).sort({ author: 1 }).toArray()).toEqual([{ author: 'a' }, { author: 'c' }]);
  });

  it('has the documented gaps: unique indexes, string _id, positional updates, transactions', async () => {
    const users = db.collection('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertOne({ email: 'same@x' });
    await users.insertOne({ email: 'same@x' }); // a real MongoDB raises E11000 here
    expect(await users.countDocuments({ email: 'same@x' })).toBe(2);
    await expect(db.collection<{ _id: string }>('named').insertOne({ _id: 'abc' })).rejects.toThrow(/24 character hex/);
    const carts = db.collection('carts');
    const { insertedId } = await carts.insertOne({ items: [{ sku: 1, qty: 1 }] });
    await carts.updateOne({ _id: insertedId, 'items.sku': 1 }, { $set: { 'items.$.qty': 5 } });
    expect((await carts.findOne({ _id: insertedId }))?.items).toEqual([{ sku: 1, qty: 1 }]);
    const session = client.startSession();
    session.startTransaction();
    await db.collection('tx').insertOne({ n: 1 }, { session });
    await session.abortTransaction();
    await session.endSession();
    expect(await db.collection('tx').countDocuments()).toBe(1); // not rolled back
  });
});
