import { describeError } from '../../../shared/logger.ts';
import type { IdentityDeps, RequestOrigin } from './context.ts';

/** Appends one login attempt (time, IP, user agent, result) to the user's history in MongoDB. */
export async function recordLogin(deps: IdentityDeps, entry: { accountId: string | null; email: string; origin: RequestOrigin; result: string; sessionId?: string }): Promise<void> {
  try {
    await deps.stores.mongo.collection('login_history').insertOne({
      accountId: entry.accountId,
      email: entry.email,
      ip: entry.origin.ip,
      userAgent: entry.origin.userAgent,
      result: entry.result,
      success: entry.result === 'success',
      sessionId: entry.sessionId ?? null,
      at: new Date(),
    });
  } catch (error) {
    deps.log.warn('login history not recorded', { accountId: entry.accountId, ...describeError(error) });
  }
}
