import { mkdir } from 'node:fs/promises';
import path from 'node:path';
// CongoDB: a MongoDB wire-protocol server in TypeScript. No real mongod installs on these machines.
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js';
import { freePort } from './ports.ts';
import type { StartedStore } from './types.ts';

/*
 * What CongoDB (smartmongo 2.2.0) does with the official driver, checked by test/node/mongo.test.ts:
 * works: ping, insert/find/sort/skip/limit/projection, getMore batches, update operators ($set $inc
 *   $push $addToSet $pull $setOnInsert), replaceOne, findOneAndUpdate (incl. upsert), upserts,
 *   bulkWrite, createIndexes/listIndexes, countDocuments, distinct, aggregate ($match $group $lookup).
 * gaps (found here; design around them or run the suite against a real MongoDB via MONGODB_URI):
 *   - unique secondary indexes are accepted but NOT enforced on insert (only index creation over
 *     existing duplicates fails with E11000);
 *   - every _id is coerced to ObjectId: a string _id like 'abc' is rejected ("input must be a 24
 *     character hex string");
 *   - the positional operator `$` and arrayFilters (`$[name]`) are silently ignored: the update
 *     matches but changes nothing;
 *   - transactions are accepted but not isolated: abortTransaction does not roll back the writes;
 *   - TTL indexes are accepted, documents never expire;
 *   - no $text, no geo queries ($near...), no change streams (watch() fails).
 * File storage (persist) is about 5x slower than memory (one JSON file per collection).
 */

/** Starts CongoDB on 127.0.0.1; file storage in `${dataDir}/mongo` when persisting, memory otherwise. */
export async function startMongo(options: { dataDir: string; persist: boolean }): Promise<StartedStore> {
  const storagePath = path.join(options.dataDir, 'mongo');
  if (options.persist) await mkdir(storagePath, { recursive: true });
  const port = await freePort();
  // One instance for the stack's life: stop() keeps its storage, so start() brings the same data back.
  const server = new CongoServer({
    port,
    host: '127.0.0.1',
    storage: options.persist ? 'file' : 'memory',
    ...(options.persist ? { storagePath } : {}),
  });
  await server.start();
  return {
    env: { MONGODB_URI: `mongodb://127.0.0.1:${port}/flow` },
    store: {
      name: 'mongo',
      kind: 'embedded CongoDB (MongoDB wire protocol)',
      where: `127.0.0.1:${port}`,
      stop: () => server.stop(),
      async start() {
        if (!server.running) await server.start();
      },
      close: () => server.stop(),
    },
  };
}
