import { consumeBusBatch } from '../../shared/bus/consumer.ts';
import { createGateway } from './app.ts';
import { runMaintenance } from './scheduled.ts';

export { MongoPool } from '../../durable-objects/mongo-pool.ts';
export { Presence } from '../../durable-objects/presence.ts';
export { Inbox } from '../../durable-objects/inbox.ts';
export { ChatRoom } from '../../durable-objects/chat-room.ts';

const gateway = createGateway();

export default {
  fetch: gateway.fetch,
  queue: consumeBusBatch,
  scheduled: runMaintenance,
} satisfies ExportedHandler<Env>;
