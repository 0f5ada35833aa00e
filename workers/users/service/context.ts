import type { Context } from 'hono';
import type { BusProducerContext } from '../../../shared/bus/producer.ts';
import type { Config } from '../../../shared/config.ts';
import { createEmailSender, type EmailSender } from '../../../shared/email/index.ts';
import type { AppEnv } from '../../../shared/http/app-env.ts';
import { clientIp } from '../../../shared/http/rate-limit-ip.ts';
import type { Logger } from '../../../shared/logger.ts';
import type { Stores } from '../../../shared/stores/index.ts';

/** What the identity service needs, built from the request; the service never sees Hono. */
export interface IdentityDeps {
  env: Env;
  config: Config;
  stores: Stores;
  log: Logger;
  email: EmailSender;
  bus: BusProducerContext;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** Where a request comes from, for throttles, sessions and login history. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

export function identityDeps(c: Context<AppEnv>): IdentityDeps {
  const config = c.get('config');
  const stores = c.get('stores');
  return {
    env: c.env,
    config,
    stores,
    log: c.get('log'),
    email: createEmailSender(config, stores),
    bus: { queue: c.env.EVENT_BUS, correlationId: c.get('correlationId') },
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  };
}

export function requestOrigin(c: Context<AppEnv>): RequestOrigin {
  return { ip: clientIp(c.req.raw), userAgent: c.req.header('user-agent')?.slice(0, 1024) ?? null };
}
