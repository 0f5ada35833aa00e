// 0001: indexes of the social content collections (posts, comments, likes, groups,
// group_members, feeds). Documents are keyed by ObjectId; references to Postgres rows
// (accounts, events) are explicit string fields holding the row's uuid.
//
// Uniqueness that correctness depends on is enforced in Postgres; the unique indexes here
// are still declared because production MongoDB enforces them (the local stand-in does not).
import type { Db } from 'mongodb';

export async function up(db: Db): Promise<void> {
  // posts: { authorId, groupId?, eventId?, body, media[], visibility, likeCount,
  //          commentCount, createdAt, updatedAt, deletedAt? }
  await db.collection('posts').createIndexes([
    // A user's posts, newest first; cursor pagination on (createdAt, _id).
    { key: { authorId: 1, createdAt: -1, _id: -1 }, name: 'author_created' },
    // A group's posts, newest first.
    { key: { groupId: 1, createdAt: -1, _id: -1 }, name: 'group_created' },
    // Posts shared about an event.
    { key: { eventId: 1, createdAt: -1, _id: -1 }, name: 'event_created' },
  ]);

  // comments: { targetType: 'post' | 'event', targetId, authorId, parentId?, body,
  //             createdAt, updatedAt, deletedAt? }
  await db.collection('comments').createIndexes([
    // Comments of a post or an event, in order.
    { key: { targetType: 1, targetId: 1, createdAt: 1, _id: 1 }, name: 'target_created' },
    // Replies to a comment.
    { key: { parentId: 1, createdAt: 1 }, name: 'parent_created' },
    // A user's comments (export, deletion, moderation history).
    { key: { authorId: 1, createdAt: -1 }, name: 'author_created' },
  ]);

  // likes: { targetType: 'post' | 'comment', targetId, userId, createdAt }
  await db.collection('likes').createIndexes([
    // One like per user and target.
    { key: { targetType: 1, targetId: 1, userId: 1 }, name: 'target_user_unique', unique: true },
    // What a user liked (export, deletion).
    { key: { userId: 1, createdAt: -1 }, name: 'user_created' },
  ]);

  // groups: { slug, name, description, ownerId, visibility: 'public' | 'private',
  //           memberCount, createdAt, updatedAt }
  await db.collection('groups').createIndexes([
    { key: { slug: 1 }, name: 'slug_unique', unique: true },
    { key: { ownerId: 1 }, name: 'owner' },
    // Public group listing, most recent first.
    { key: { visibility: 1, createdAt: -1, _id: -1 }, name: 'visibility_created' },
  ]);

  // group_members: { groupId, userId, role: 'owner' | 'admin' | 'member', joinedAt }
  await db.collection('group_members').createIndexes([
    // One membership per user and group.
    { key: { groupId: 1, userId: 1 }, name: 'group_user_unique', unique: true },
    // A user's groups ("groups in common" for connection strength and suggestions).
    { key: { userId: 1, joinedAt: -1 }, name: 'user_joined' },
    // Members of a group by role (admins first) and join order.
    { key: { groupId: 1, role: 1, joinedAt: 1 }, name: 'group_role_joined' },
  ]);

  // feeds (fan-out on write): { ownerId (whose feed), postId, authorId, groupId?,
  //                             createdAt, expiresAt }
  await db.collection('feeds').createIndexes([
    // A user's feed page, newest first.
    { key: { ownerId: 1, createdAt: -1, _id: -1 }, name: 'owner_created' },
    // A post appears once per feed (fan-out retries are harmless).
    { key: { ownerId: 1, postId: 1 }, name: 'owner_post_unique', unique: true },
    // Removing a deleted post from every feed.
    { key: { postId: 1 }, name: 'post' },
    // Removing an author's entries from a feed (block, unfollow).
    { key: { ownerId: 1, authorId: 1 }, name: 'owner_author' },
    // Old feed entries expire (the writer sets expiresAt).
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ]);
}
