import { pruneOutbox, relayOutbox } from '../../shared/bus/outbox.ts';
import { loadConfig } from '../../shared/config.ts';
import { describeError, Logger } from '../../shared/logger.ts';
import { createStores, type Stores } from '../../shared/stores/index.ts';
import { flushEventViews } from '../events/service/views.ts';

interface MaintenanceContext {
  env: Env;
  stores: Stores;
  correlationId: string;
}

/** One periodic job: a name for the logs and what it does; returns how many items it handled. */
interface MaintenanceTask {
  name: string;
  run: (context: MaintenanceContext) => Promise<number>;
}

const tasks: MaintenanceTask[] = [
  // Bus messages whose request ended before its own relay ran (or whose send failed).
  { name: 'outbox.relay', run: ({ stores, env }) => relayOutbox(stores.postgres, env.EVENT_BUS) },
  { name: 'outbox.prune', run: ({ stores }) => pruneOutbox(stores.postgres) },
  // Event page views counted in Redis, applied to events.view_count in one statement.
  { name: 'events.flush-views', run: ({ stores }) => flushEventViews(stores) },
];

/**
 * Cron entry point (every minute): runs each maintenance task on its own, so one failing task
 * (or one store being down) does not keep the others from running.
 */
export async function runMaintenance(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
  const config = loadConfig(env);
  const correlationId = `cron-${controller.scheduledTime}`;
  const log = new Logger(config.LOG_LEVEL, { correlationId, cron: controller.cron });
  const stores = createStores({ config, env, region: 'default', waitUntil: (promise) => ctx.waitUntil(promise) });
  const outcomes = await Promise.allSettled(tasks.map((task) => task.run({ env, stores, correlationId })));
  outcomes.forEach((outcome, index) => {
    const name = tasks[index]!.name;
    if (outcome.status === 'rejected') log.error('maintenance task failed', { task: name, ...describeError(outcome.reason) });
    else if (outcome.value > 0) log.info('maintenance task done', { task: name, handled: outcome.value });
  });
}
