import { pruneOutbox, relayOutbox } from '../../shared/bus/outbox.ts';
import { loadConfig, type Config } from '../../shared/config.ts';
import { describeError, Logger } from '../../shared/logger.ts';
import { createStores, type Stores } from '../../shared/stores/index.ts';
import { flushEventViews } from '../events/service/views.ts';
import { expireWaitlistOffers } from '../events/service/waitlist.ts';

interface MaintenanceContext {
  env: Env;
  config: Config;
  stores: Stores;
  correlationId: string;
}

/** One periodic job: a name for the logs and what it does; returns how many items it handled. */
interface MaintenanceTask {
  name: string;
  run: (context: MaintenanceContext) => Promise<number>;
}

/**
 * Stages run one after the other; the tasks of a stage run side by side. Jobs that write bus
 * messages to the outbox come first, so the relay stage sends their messages in the same run.
 */
const stages: MaintenanceTask[][] = [
  [
    // Waitlist offers past their deadline go to the next in line.
    { name: 'waitlist.expire-offers', run: ({ stores, config, correlationId }) => expireWaitlistOffers(stores, correlationId, config.WAITLIST_OFFER_SECONDS) },
    // Event page views counted in Redis, applied to events.view_count in one statement.
    { name: 'events.flush-views', run: ({ stores }) => flushEventViews(stores) },
  ],
  [
    // Bus messages whose request ended before its own relay ran (or whose send failed).
    { name: 'outbox.relay', run: ({ stores, env }) => relayOutbox(stores.postgres, env.EVENT_BUS) },
    { name: 'outbox.prune', run: ({ stores }) => pruneOutbox(stores.postgres) },
  ],
];

/**
 * Cron entry point (every minute): runs each maintenance task on its own, so one failing task
 * (or one store being down) does not keep the others from running.
 */
export async function runMaintenance(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const correlationId = `cron-${controller.scheduledTime}`;
  const log = new Logger(config.LOG_LEVEL, { correlationId, cron: controller.cron });
  const context: MaintenanceContext = { env, config, correlationId, stores: createStores({ config, env, region: 'default', waitUntil: (promise) => ctx.waitUntil(promise) }) };
  for (const tasks of stages) {
    const outcomes = await Promise.allSettled(tasks.map((task) => task.run(context)));
    outcomes.forEach((outcome, index) => {
      const name = tasks[index]!.name;
      if (outcome.status === 'rejected') log.error('maintenance task failed', { task: name, ...describeError(outcome.reason) });
      else if (outcome.value > 0) log.info('maintenance task done', { task: name, handled: outcome.value });
    });
  }
}
