import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { testStores } from '../../support/stores.ts';

interface Probe {
  _id?: ObjectId;
  ownerId: string;
  at: Date;
  tags: string[];
  count?: number;
}

const { mongo } = testStores();
const probes = () => mongo.collection<Probe>(`probes_${crypto.randomUUID().slice(0, 8)}`);

describe('MongoDB through the MongoPool Durable Object', () => {
  it('answers ping', async () => {
    await expect(mongo.ping()).resolves.toBeUndefined();
  });

  it('keeps ObjectId and Date types across the RPC boundary', async () => {
    const collection = probes();
    const at = new Date('2026-11-25T10:00:00.000Z');
    const { insertedId } = await collection.insertOne({ ownerId: 'u1', at, tags: ['a', 'b'] });
    expect(insertedId).toBeInstanceOf(ObjectId);
    const found = await collection.findOne({ _id: insertedId as ObjectId });
    expect(found?.at).toBeInstanceOf(Date);
    expect(found?.at.toISOString()).toBe(at.toISOString());
    expect(found?._id?.equals(insertedId as ObjectId)).toBe(true);
  });

  it('finds with sort, limit and projection, counts and aggregates', async () => {
    const collection = probes();
    await collection.insertMany(Array.from({ length: 5 }, (_, index) => ({ ownerId: `u${index % 2}`, at: new Date(2026, 0, index + 1), tags: [], count: index })));
    const page = await collection.find({ ownerId: 'u0' }, { sort: { count: -1 }, limit: 2, projection: { count: 1 } });
    expect(page.map((doc) => doc.count)).toEqual([4, 2]);
    expect(await collection.countDocuments({ ownerId: 'u1' })).toBe(2);
    const grouped = await collection.aggregate<{ _id: string; total: number }>([{ $group: { _id: '$ownerId', total: { $sum: '$count' } } }, { $sort: { _id: 1 } }]);
    expect(grouped).toEqual([{ _id: 'u0', total: 6 }, { _id: 'u1', total: 4 }]);
  });

  it('upserts idempotently and updates atomically under concurrency', async () => {
    const collection = probes();
    await Promise.all(Array.from({ length: 10 }, () => collection.updateOne({ ownerId: 'counter' }, { $setOnInsert: { at: new Date(), tags: [] } }, { upsert: true })));
    await Promise.all(Array.from({ length: 25 }, () => collection.updateOne({ ownerId: 'counter' }, { $inc: { count: 1 } })));
    const updated = await collection.findOneAndUpdate({ ownerId: 'counter' }, { $push: { tags: 'done' } }, { returnDocument: 'after' });
    expect(updated).toMatchObject({ count: 25, tags: ['done'] });
    expect(await collection.countDocuments({ ownerId: 'counter' })).toBe(1);
  });

  it('deletes', async () => {
    const collection = probes();
    await collection.insertOne({ ownerId: 'gone', at: new Date(), tags: [] });
    expect(await collection.deleteMany({ ownerId: 'gone' })).toMatchObject({ deletedCount: 1 });
    expect(await collection.findOne({ ownerId: 'gone' })).toBeNull();
  });
});
