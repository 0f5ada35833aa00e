import { DurableObject } from 'cloudflare:workers';
import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { loadConfig } from '../shared/config.ts';
import { decodeMongo, encodeMongo, mongoOperations, type MongoReply, type MongoRequest } from '../shared/stores/mongo-protocol.ts';

const CURSOR_CAP = 1_000;
const OUTAGE_ERRORS = /MongoNetwork|MongoServerSelection|MongoTopologyClosed|MongoNotConnected|MongoOperationTimeout|MongoPoolClosed|MongoPoolCleared/;

/**
 * One per region: keeps a MongoClient connected across requests, which a Worker cannot do
 * (I/O objects may not outlive the request that made them). Workers reach it by RPC.
 */
export class MongoPool extends DurableObject<Env> {
  #client: MongoClient | null = null;
  #db: Db | null = null;

  /** Runs one encoded collection operation and returns the encoded reply. */
  async execute(encodedRequest: string): Promise<string> {
    const request = decodeMongo<MongoRequest>(encodedRequest);
    try {
      return encodeMongo({ ok: true, value: await this.#run(request) } satisfies MongoReply);
    } catch (error) {
      return encodeMongo(this.#describeFailure(error));
    }
  }

  async #run({ collection, operation, args }: MongoRequest): Promise<unknown> {
    const db = await this.#database();
    if (operation === 'ping') return db.command({ ping: 1 });
    if (!mongoOperations.includes(operation)) throw new Error(`Unsupported operation ${String(operation)}`);
    const target = db.collection(collection);
    if (operation === 'find') {
      const [filter, options = {}] = args as [object, { limit?: number }];
      return target.find(filter, { ...options, limit: Math.min(options.limit ?? CURSOR_CAP, CURSOR_CAP) }).toArray();
    }
    if (operation === 'aggregate') {
      const [pipeline] = args as [object[]];
      return target.aggregate([...pipeline, { $limit: CURSOR_CAP }]).toArray();
    }
    const method = target[operation] as (...values: unknown[]) => Promise<unknown>;
    return method.apply(target, args);
  }

  async #database(): Promise<Db> {
    if (this.#db) return this.#db;
    const config = loadConfig(this.env);
    const driverTimeout = Math.max(50, Math.floor(config.STORE_TIMEOUT_MS * 0.9));
    const client = new MongoClient(config.MONGODB_URI, {
      maxPoolSize: 10,
      serverSelectionTimeoutMS: driverTimeout,
      connectTimeoutMS: driverTimeout,
      socketTimeoutMS: driverTimeout,
      retryWrites: false,
      // Heartbeats by polling, not the streaming (exhaust) hello: a server or proxy that ends a
      // streamed reply early makes the driver clear the pool and fail every operation in flight.
      // Polling is also what the driver picks itself in function runtimes it recognises.
      serverMonitoringMode: 'poll',
      appName: 'flow-edge',
    });
    await client.connect();
    this.#client = client;
    this.#db = client.db(config.MONGODB_DB);
    return this.#db;
  }

  #describeFailure(error: unknown): MongoReply {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    const outage = OUTAGE_ERRORS.test(name) || (error instanceof Error && /ECONNREFUSED|ECONNRESET|closed/i.test(message));
    if (outage) this.#reset();
    const code = error instanceof MongoServerError ? error.code : undefined;
    return { ok: false, outage, message, ...(code === undefined ? {} : { code }) };
  }

  // After an outage start from a fresh client, so recovery does not depend on driver internals.
  #reset(): void {
    const client = this.#client;
    this.#client = null;
    this.#db = null;
    client?.close(true).catch(() => {});
  }
}
