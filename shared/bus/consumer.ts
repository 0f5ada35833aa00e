import { loadConfig } from '../config.ts';
import { describeError, Logger } from '../logger.ts';
import { createStores, type Stores } from '../stores/index.ts';
import { handlersFor } from './handlers.ts';
import { busMessageSchema, type BusMessage } from './messages.ts';

const PROCESSED_TTL_SECONDS = 7 * 24 * 3600;
const processedKey = (id: string) => `bus:processed:${id}`;

/** Exponential backoff with jitter, in whole seconds as Queues expects: 2, 4, 8, ... up to 5 min. */
export function retryDelaySeconds(attempts: number): number {
  const base = Math.min(300, 2 ** Math.max(1, attempts));
  return Math.max(1, Math.round(base * (0.75 + Math.random() * 0.5)));
}

interface BatchContext {
  env: Env;
  stores: Stores;
  log: Logger;
  waitUntil: (promise: Promise<unknown>) => void;
}

async function deliver(message: Message<unknown>, context: BatchContext): Promise<void> {
  let log = context.log.with({ busMessageId: message.id });
  try {
    const parsed = busMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      // A malformed message will never succeed: keep it for inspection instead of retrying.
      await recordDeadLetter(message, 'invalid message', context.stores, 'main');
      log.warn('bus message rejected', { issues: parsed.error.issues.length });
      message.ack();
      return;
    }
    const bus = parsed.data as BusMessage;
    log = log.with({ correlationId: bus.correlationId, busType: bus.type });
    if (await context.stores.redis.run((redis) => redis.exists(processedKey(bus.id)))) {
      message.ack();
      return;
    }
    const config = loadConfig(context.env);
    for (const handler of handlersFor(bus.type)) {
      await handler(bus, { env: context.env, config, stores: context.stores, log });
    }
    await context.stores.redis.run((redis) => redis.set(processedKey(bus.id), '1', { ex: PROCESSED_TTL_SECONDS }));
    message.ack();
  } catch (error) {
    const delaySeconds = retryDelaySeconds(message.attempts);
    log.warn('bus message failed; will retry', { attempts: message.attempts, delaySeconds, ...describeError(error) });
    message.retry({ delaySeconds });
  }
}

async function recordDeadLetter(message: Message<unknown>, reason: string, stores: Stores, queue: string): Promise<void> {
  const body = message.body as { type?: unknown; correlationId?: unknown } | null;
  await stores.mongo.collection('dead_letters').updateOne(
    { messageId: message.id },
    {
      $setOnInsert: { messageId: message.id, queue, body: message.body, firstDeadAt: new Date() },
      $set: {
        reason,
        type: typeof body?.type === 'string' ? body.type : null,
        correlationId: typeof body?.correlationId === 'string' ? body.correlationId : null,
        attempts: message.attempts,
        lastDeadAt: new Date(),
      },
    },
    { upsert: true },
  );
}

/**
 * Queue entry point. Main queue: validate, skip what was already processed, run the handlers,
 * retry with backoff on failure. Dead-letter queue (name ending in `-dlq`): keep a record in Mongo.
 */
export async function consumeBusBatch(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const log = new Logger(config.LOG_LEVEL, { queue: batch.queue });
  const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
  const stores = createStores({ config, env, region: 'default', waitUntil });
  if (batch.queue.endsWith('-dlq')) {
    await Promise.all(batch.messages.map(async (message) => {
      try {
        await recordDeadLetter(message, 'retries exhausted', stores, batch.queue.slice(0, -'-dlq'.length));
        log.error('bus message dead-lettered', { messageId: message.id });
        message.ack();
      } catch (error) {
        log.error('dead letter not recorded; will retry', { messageId: message.id, ...describeError(error) });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }));
    return;
  }
  await Promise.all(batch.messages.map((message) => deliver(message, { env, stores, log, waitUntil })));
}
