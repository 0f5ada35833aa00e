import { ObjectId } from 'mongodb';
import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import { commentsRepo, type CommentDocument } from '../repo/comments.ts';
import { likesRepo } from '../repo/likes.ts';
import type { EventDocument } from '../schemas.ts';
import type { ShareChannel } from '../venue-schemas.ts';
import { getEventForViewer } from './events.ts';
import { managesEvent } from './events-view.ts';
import { cursorPart, decodePageCursor, encodePageCursor } from './page-cursor.ts';

// One counted share per user and event per hour: a client looping on "share" cannot inflate it.
const SHARE_WINDOW_SECONDS = 3_600;
const shareKey = (eventId: string, userId: string) => `events:shared:${eventId}:${userId}`;

/** The event as the caller may see it (404 otherwise), and open for likes, comments and shares. */
async function openEvent(stores: Stores, eventId: string, viewer: AuthContext): Promise<EventDocument> {
  const event = await getEventForViewer(stores, eventId, viewer);
  if (event.status !== 'published' && event.status !== 'completed') {
    throw new AppError('conflict', `The event is ${event.status}: it takes no likes, comments or shares.`);
  }
  return event;
}

async function likeState(stores: Stores, eventId: string, liked: boolean) {
  const counts = await likesRepo.counts(stores.postgres, eventId);
  return { liked, likeCount: counts?.like_count ?? 0 };
}

/** Likes an event; liking it again changes nothing. */
export async function likeEvent(stores: Stores, viewer: AuthContext, eventId: string) {
  await openEvent(stores, eventId, viewer);
  await likesRepo.like(stores.postgres, eventId, viewer.userId);
  return likeState(stores, eventId, true);
}

/** Takes back a like (also on a cancelled event); without one it changes nothing. */
export async function unlikeEvent(stores: Stores, viewer: AuthContext, eventId: string) {
  await getEventForViewer(stores, eventId, viewer);
  await likesRepo.unlike(stores.postgres, eventId, viewer.userId);
  return likeState(stores, eventId, false);
}

/** Counts a share once per user and event per hour, under the channel it went through. */
export async function shareEvent(stores: Stores, viewer: AuthContext, eventId: string, channel: ShareChannel) {
  await openEvent(stores, eventId, viewer);
  const first = await stores.redis.run((redis) => redis.set(shareKey(eventId, viewer.userId), '1', { nx: true, ex: SHARE_WINDOW_SECONDS }));
  if (first === 'OK') return { counted: true, shareCount: await likesRepo.addShare(stores.postgres, eventId, channel) };
  return { counted: false, shareCount: (await likesRepo.counts(stores.postgres, eventId))?.share_count ?? 0 };
}

async function commentViews(stores: Stores, documents: CommentDocument[]) {
  const authorIds = [...new Set(documents.map((document) => document.authorId))];
  const authors = authorIds.length === 0 ? [] : await stores.postgres.query<{ id: string; username: string }>(
    `select id, username from accounts where id = any($1::uuid[]) and status = 'active'`, [authorIds]);
  const usernames = new Map(authors.map((author) => [author.id, author.username]));
  return documents.map((document) => ({
    id: document._id.toHexString(),
    eventId: document.targetId,
    author: { id: document.authorId, username: usernames.get(document.authorId) ?? null },
    body: document.body,
    createdAt: document.createdAt.toISOString(),
  }));
}

/** Adds a comment. The count in Postgres follows; if it cannot, the comment is taken back. */
export async function addComment(stores: Stores, viewer: AuthContext, eventId: string, body: string) {
  await openEvent(stores, eventId, viewer);
  const document = await commentsRepo.insert(stores.mongo, eventId, viewer.userId, body);
  try {
    await likesRepo.addComments(stores.postgres, eventId, 1);
  } catch (error) {
    await commentsRepo.remove(stores.mongo, document._id).catch(() => {});
    throw error;
  }
  const [view] = await commentViews(stores, [document]);
  return view!;
}

/** Comments of an event the caller may see, newest first, one page after `cursor`. */
export async function listComments(stores: Stores, viewer: AuthContext | null, eventId: string, page: { cursor?: string; limit: number }) {
  await getEventForViewer(stores, eventId, viewer);
  let after = null;
  if (page.cursor) {
    const [createdAt, id] = decodePageCursor(page.cursor, [cursorPart.isoTime, (value) => typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)]);
    after = { createdAt: new Date(createdAt as string), id: new ObjectId(id as string) };
  }
  const found = await commentsRepo.page(stores.mongo, eventId, after, page.limit);
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  const counts = await likesRepo.counts(stores.postgres, eventId);
  return {
    items: await commentViews(stores, items),
    nextCursor: found.length > page.limit && last ? encodePageCursor([last.createdAt.toISOString(), last._id.toHexString()]) : null,
    commentCount: counts?.comment_count ?? 0,
  };
}

/** Deletes a comment: its author, the event's managers, moderators and admins. */
export async function deleteComment(stores: Stores, viewer: AuthContext, eventId: string, commentId: string): Promise<void> {
  const event = await getEventForViewer(stores, eventId, viewer);
  const id = new ObjectId(commentId);
  const comment = await commentsRepo.find(stores.mongo, eventId, id);
  if (!comment) throw new AppError('not_found', 'No such comment.');
  const mayDelete = comment.authorId === viewer.userId || managesEvent(viewer, event.organizerId)
    || viewer.role === 'moderator' || viewer.role === 'admin';
  if (!mayDelete) throw new AppError('forbidden', 'Only the author, the event\'s organizer or a moderator may delete a comment.');
  // Only the call that marks it deleted moves the count, so concurrent deletes count once.
  if (!(await commentsRepo.markDeleted(stores.mongo, eventId, id))) throw new AppError('not_found', 'No such comment.');
  await likesRepo.addComments(stores.postgres, eventId, -1);
}

/**
 * An account is being deleted: its live comments are marked deleted event by event, and each
 * event's comment count drops by exactly the comments this call marked, so a repeated call
 * moves nothing twice. The deletion erases the documents afterwards.
 */
export async function withdrawCommentsOf(stores: Stores, authorId: string): Promise<void> {
  const eventIds = await commentsRepo.eventsCommentedBy(stores.mongo, authorId);
  for (const eventId of eventIds) {
    const marked = await commentsRepo.markDeletedBy(stores.mongo, eventId, authorId);
    if (marked > 0) await likesRepo.addComments(stores.postgres, eventId, -marked);
  }
}
