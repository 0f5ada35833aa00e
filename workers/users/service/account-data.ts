import { ObjectId } from 'mongodb';
import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { dummyPasswordHash, verifyPassword } from '../../../shared/auth/password.ts';
import { denySessions } from '../../../shared/auth/revocation.ts';
import { publish } from '../../../shared/bus/producer.ts';
import { isoNow } from '../../../shared/clock.ts';
import { AppError } from '../../../shared/errors.ts';
import { loginRules } from '../../../shared/http/limits.ts';
import { consumeRateLimit } from '../../../shared/http/rate-limit.ts';
import { describeError } from '../../../shared/logger.ts';
import type { MongoStore, Stores } from '../../../shared/stores/index.ts';
import { withdrawCommentsOf } from '../../events/service/engagement.ts';
import { forgetEventsOf, offerSeatsLeftBy, releaseEventsOf, type EventsExit } from '../../events/service/account-exit.ts';
import { eraseFromRealtime, releaseRoomsOf, roomsOfAccount, unarchivedMessagesOf } from '../../realtime/service/account-data.ts';
import type { ArchivedMessage } from '../../../durable-objects/chat-room/archive.ts';
import { accountDataRepo, EXPORT_LIMIT, MONGO_DELETION_BLOCKERS, OWNED_COLLECTIONS, RELATED_TABLES } from '../repo/account-data.ts';
import { accountsRepo } from '../repo/accounts.ts';
import { achievementsOf } from '../repo/achievements.ts';
import type { AchievementMetric } from '../profile-schemas.ts';
import { devicesRepo } from '../repo/devices.ts';
import type { IdentityDeps } from './context.ts';
import { deviceView } from './devices.ts';
import { invalidCredentials } from './login.ts';
import { getPreferences } from './preferences.ts';
import { getProfile } from './profiles.ts';

const accountGone = () => new AppError('not_found', 'No such account.');

// ---- login history ----

interface LoginDocument {
  _id: ObjectId;
  accountId: string | null;
  ip: string | null;
  userAgent: string | null;
  result: string;
  success: boolean;
  at: Date;
}

// The cursor is opaque to clients: base64url of [time of the last entry, its _id].
const encodeCursor = (entry: LoginDocument) =>
  btoa(JSON.stringify([entry.at.toISOString(), entry._id.toHexString()])).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

function decodeCursor(cursor: string): { at: Date; id: ObjectId } {
  try {
    const [at, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as unknown[];
    const time = new Date(typeof at === 'string' ? at : Number.NaN);
    if (Number.isNaN(time.getTime()) || typeof id !== 'string' || !ObjectId.isValid(id) || id.length !== 24) throw new Error('bad cursor');
    return { at: time, id: new ObjectId(id) };
  } catch {
    throw new AppError('validation_failed', 'The cursor is invalid; use nextCursor of the previous page.', { extensions: { errors: [{ in: 'query', path: 'cursor', message: 'Invalid cursor' }] } });
  }
}

/** The caller's logins, newest first, one page after `cursor`. */
export async function loginHistory(mongo: MongoStore, userId: string, page: { cursor?: string; limit: number }) {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const filter = after
    ? { accountId: userId, $or: [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }] }
    : { accountId: userId };
  const found = await mongo.collection<LoginDocument>('login_history').find(filter, { sort: { at: -1, _id: -1 }, limit: page.limit + 1 });
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((entry) => ({ at: entry.at.toISOString(), ip: entry.ip ?? null, userAgent: entry.userAgent ?? null, result: entry.result, success: entry.success === true })),
    nextCursor: found.length > page.limit && last ? encodeCursor(last) : null,
  };
}

// ---- statistics ----

/** Every achievement with the user's progress, the earned ones with when. */
export async function userAchievements(deps: Pick<IdentityDeps, 'stores'>, userId: string) {
  const rows = await achievementsOf(deps.stores.postgres, userId);
  return {
    items: rows.map((row) => ({
      code: row.code,
      name: row.name,
      description: row.description,
      iconUrl: row.icon_url,
      metric: row.metric as AchievementMetric,
      threshold: row.threshold,
      progress: row.progress,
      earnedAt: row.awarded_at?.toISOString() ?? null,
    })),
  };
}

export async function userStats(deps: Pick<IdentityDeps, 'stores'>, userId: string) {
  const row = await accountDataRepo.stats(deps.stores.postgres, userId);
  if (!row) throw accountGone();
  return {
    eventsAttended: row.events_attended_count,
    eventsOrganized: row.events_organized_count,
    connections: row.connections_count,
    followers: row.followers_count,
    following: row.following_count,
    crews: row.crews_count,
    karma: row.karma,
    activeSessions: row.active_sessions,
    devices: row.devices,
    memberSince: row.created_at.toISOString(),
  };
}

// ---- GDPR export ----

const ownerFilter = (fields: string[], userId: string) =>
  fields.length === 1 ? { [fields[0]!]: userId } : { $or: fields.map((field) => ({ [field]: userId })) };

/** The archived chat messages and those the rooms have not archived yet, each once. */
function withUnarchived(archived: unknown[], unarchived: ArchivedMessage[]): unknown[] {
  const key = (message: Pick<ArchivedMessage, 'roomId' | 'seq'>) => `${message.roomId}:${message.seq}`;
  const seen = new Set((archived as ArchivedMessage[]).map(key));
  return [...archived, ...unarchived.filter((message) => !seen.has(key(message)))];
}

/** Everything that is the user's, with no secret in it (see RELATED_TABLES and OWNED_COLLECTIONS). */
export async function exportUserData(deps: Pick<IdentityDeps, 'stores' | 'env'>, auth: AuthContext) {
  const { postgres, mongo } = deps.stores;
  const userId = auth.userId;
  const account = await accountDataRepo.account(postgres, userId);
  if (!account) throw accountGone();
  const truncated: string[] = [];
  const capped = <T>(name: string, rows: T[]): T[] => {
    if (rows.length <= EXPORT_LIMIT) return rows;
    truncated.push(name);
    return rows.slice(0, EXPORT_LIMIT);
  };

  const [profile, preferences, sessions, devices, logins, tables, collections, unarchived] = await Promise.all([
    getProfile(postgres, auth, userId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') return null;
      throw error;
    }),
    getPreferences(mongo, userId),
    accountDataRepo.sessions(postgres, userId),
    devicesRepo.list(postgres, userId),
    mongo.collection('login_history').find({ accountId: userId }, { sort: { at: -1 }, limit: EXPORT_LIMIT + 1, projection: { _id: 0, accountId: 0 } }),
    Promise.all(RELATED_TABLES.map(async (source) => [source.name, await accountDataRepo.related(postgres, source, userId)] as const)),
    Promise.all(OWNED_COLLECTIONS.filter((source) => source.exported !== false).map(async (source) =>
      [source.collection, await mongo.collection(source.collection).find(ownerFilter(source.owners, userId), { limit: EXPORT_LIMIT + 1 })] as const)),
    unarchivedMessagesOf(deps.stores, deps.env, userId, EXPORT_LIMIT + 1),
  ]);

  const related: Record<string, unknown[]> = {};
  for (const [name, rows] of [...tables, ...collections]) related[name] = capped(name, name === 'chat_messages' ? withUnarchived(rows, unarchived) : rows);
  return {
    exportedAt: isoNow(),
    account,
    profile,
    preferences,
    sessions: capped('sessions', sessions),
    devices: devices.map((row) => deviceView(row, auth)),
    loginHistory: capped('loginHistory', logins),
    related,
    truncated,
  };
}

// ---- account deletion ----

const cannotDelete = (blockers: Array<{ kind: string; count: number; todo: string }>) =>
  new AppError('conflict', `The account cannot be deleted yet: ${blockers.map((blocker) => blocker.todo).join('; ')}.`, {
    extensions: { blockers: blockers.map(({ kind, count }) => ({ kind, count })) },
  });

async function mongoBlockers(mongo: MongoStore, userId: string) {
  const counts = await Promise.all(MONGO_DELETION_BLOCKERS.map(async (blocker) => ({
    kind: blocker.kind,
    count: await mongo.collection(blocker.collection).countDocuments({ [blocker.field]: userId }),
    todo: blocker.todo,
  })));
  return counts.filter((blocker) => blocker.count > 0);
}

// One collection at a time: deletion is rare, and a burst of parallel deleteMany calls is the
// heaviest thing it could put on MongoDB (each may scan a large collection).
// Event comments are withdrawn first, so the events' comment counts drop by what goes.
async function eraseDocuments(stores: Stores, userId: string): Promise<void> {
  await withdrawCommentsOf(stores, userId);
  for (const source of OWNED_COLLECTIONS) {
    const documents = stores.mongo.collection(source.collection);
    const filter = ownerFilter([...source.owners, ...(source.alsoErase ?? [])], userId);
    if (source.erasedAs) await documents.updateMany(filter, { $set: source.erasedAs });
    else await documents.deleteMany(filter);
  }
}

/**
 * Deletes the caller's account and everything that is theirs, after checking their password.
 * Order matters for retries: what lives outside Postgres goes first (erasing it twice is
 * harmless): the user's messages, cursors, notifications and presence in the realtime objects
 * (found through the rooms Postgres lists for the account), then their MongoDB documents (the
 * chat archive among them). Then one Postgres transaction locks the account, re-checks what
 * blocks deletion, puts every live session on the deny-list, releases the events the user
 * organized (none upcoming: those block; those others took part in stay without an organizer,
 * the rest are deleted with their rooms), deletes the row (the rest cascades) and offers the
 * seats the user held on upcoming events to those events' waiting lines. A failure
 * before the commit answers an error and leaves a live account (its messages and documents
 * perhaps already erased) that the user can delete again with the same request. After the
 * commit, a second sweep erases what the user's last in-flight requests wrote meanwhile; its
 * failure is logged, not answered.
 */
export async function deleteAccount(deps: IdentityDeps, auth: AuthContext, password: string): Promise<void> {
  const { stores, config } = deps;
  const account = await accountsRepo.findById(stores.postgres, auth.userId);
  // The login throttle of the account also guards this re-authentication against guessing.
  const throttle = await consumeRateLimit(stores.redis, loginRules(config).perAccount, (account?.email ?? auth.email).trim().toLowerCase());
  if (!throttle.allowed) {
    throw new AppError('rate_limited', 'Too many attempts; wait before trying again.', { headers: { 'Retry-After': String(Math.max(1, throttle.resetSeconds)) } });
  }
  const passwordMatches = await verifyPassword(password, account?.password_hash ?? (await dummyPasswordHash()));
  if (!account || account.status !== 'active' || !passwordMatches) throw invalidCredentials();

  const blockers = [...(await accountDataRepo.blockers(stores.postgres, account.id)), ...(await mongoBlockers(stores.mongo, account.id))];
  if (blockers.length > 0) throw cannotDelete(blockers);

  const roomsBefore = await roomsOfAccount(stores, account.id);
  await eraseFromRealtime(stores, deps.env, account.id, roomsBefore);
  await eraseDocuments(stores, account.id);
  let deleted: { events: EventsExit; rooms: string[] };
  try {
    deleted = await stores.postgres.transaction(async (tx) => {
      if (!(await accountDataRepo.lock(tx, account.id))) throw accountGone();
      const lateBlockers = await accountDataRepo.blockers(tx, account.id);
      if (lateBlockers.length > 0) throw cannotDelete(lateBlockers);
      const sessions = await accountDataRepo.liveSessionIds(tx, account.id, config.ACCESS_TOKEN_TTL_SECONDS);
      await denySessions(stores.redis, sessions, config.ACCESS_TOKEN_TTL_SECONDS);
      const events = await releaseEventsOf(tx, account.id);
      const rooms = await releaseRoomsOf(tx, account.id, events.deleted);
      await accountDataRepo.deleteAccount(tx, account.id);
      await offerSeatsLeftBy(tx, events, config.WAITLIST_OFFER_SECONDS, deps.bus.correlationId);
      return { events, rooms: [...new Set([...roomsBefore, ...rooms])] };
    });
  } catch (error) {
    // A row that references the account without ON DELETE appeared: same answer as a blocker.
    if ((error as { code?: string }).code === '23503') throw new AppError('conflict', 'Something you own still references the account; try again or contact support.');
    throw error;
  }
  deps.log.info('account deleted', { accountId: account.id });
  // After the commit, a failure is logged, not answered: the account is gone.
  const logFailure = (message: string, details: Record<string, unknown> = {}) => (error: unknown) =>
    deps.log.warn(message, { accountId: account.id, ...details, ...describeError(error) });
  // Messages and documents written by the user's last requests while the first sweep ran.
  const { events, rooms } = deleted;
  await eraseFromRealtime(stores, deps.env, account.id, rooms).catch(logFailure('second realtime erase sweep failed'));
  await eraseDocuments(stores, account.id).catch(logFailure('second erase sweep failed'));
  await forgetEventsOf(stores, events).catch(
    logFailure('released events not forgotten everywhere', { deleted: events.deleted.length, kept: events.kept.length, seated: events.seated.length }),
  );
  // The account is gone whatever happens next: a lost message is logged for replay rather than
  // turned into an error the client could only answer by retrying a deletion that already happened.
  await publish(deps.bus, 'user.deleted', { userId: account.id })
    .catch((error: unknown) => deps.log.error('user.deleted not published', { accountId: account.id, ...describeError(error) }));
}
