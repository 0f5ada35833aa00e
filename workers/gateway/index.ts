import { consumeBusBatch } from '../../shared/bus/consumer.ts';
import { createGateway } from './app.ts';

export { MongoPool } from '../../durable-objects/mongo-pool.ts';

const gateway = createGateway();

export default {
  fetch: gateway.fetch,
  queue: consumeBusBatch,
} satisfies ExportedHandler<Env>;
