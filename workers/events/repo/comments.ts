import { ObjectId } from 'mongodb';
import type { MongoStore } from '../../../shared/stores/index.ts';

/** A comment on an event, in the shared `comments` collection (see migrations/mongo/0001). */
export interface CommentDocument {
  _id: ObjectId;
  targetType: 'event';
  targetId: string;
  authorId: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Where a page of comments starts: after this comment (newest first). */
export interface CommentsAfter {
  createdAt: Date;
  id: ObjectId;
}

const collection = (mongo: MongoStore) => mongo.collection<CommentDocument>('comments');

/** Event comments in MongoDB; a deleted comment is kept with deletedAt set and never listed. */
export const commentsRepo = {
  async insert(mongo: MongoStore, eventId: string, authorId: string, body: string): Promise<CommentDocument> {
    const now = new Date();
    const document: CommentDocument = { _id: new ObjectId(), targetType: 'event', targetId: eventId, authorId, body, createdAt: now, updatedAt: now, deletedAt: null };
    await collection(mongo).insertOne(document);
    return document;
  },

  async find(mongo: MongoStore, eventId: string, id: ObjectId): Promise<CommentDocument | null> {
    return collection(mongo).findOne({ _id: id, targetType: 'event', targetId: eventId, deletedAt: null });
  },

  /** Marks the comment deleted; true only for the call that deleted it (so counts move once). */
  async markDeleted(mongo: MongoStore, eventId: string, id: ObjectId): Promise<boolean> {
    const now = new Date();
    const before = await collection(mongo).findOneAndUpdate(
      { _id: id, targetType: 'event', targetId: eventId, deletedAt: null },
      { $set: { deletedAt: now, updatedAt: now } },
      { returnDocument: 'before' },
    );
    return before !== null;
  },

  /** The events the author has live comments on. */
  async eventsCommentedBy(mongo: MongoStore, authorId: string): Promise<string[]> {
    return (await collection(mongo).distinct('targetId', { targetType: 'event', authorId, deletedAt: null })).map(String);
  },

  /** Marks the author's live comments on the event deleted; returns how many this call marked. */
  async markDeletedBy(mongo: MongoStore, eventId: string, authorId: string): Promise<number> {
    const now = new Date();
    const outcome = await collection(mongo).updateMany(
      { targetType: 'event', targetId: eventId, authorId, deletedAt: null },
      { $set: { deletedAt: now, updatedAt: now } },
    );
    return outcome.modifiedCount;
  },

  /** Every comment on these events (gone with their organizer's account). */
  async removeForEvents(mongo: MongoStore, eventIds: string[]): Promise<void> {
    if (eventIds.length > 0) await collection(mongo).deleteMany({ targetType: 'event', targetId: { $in: eventIds } });
  },

  /** Removes a comment outright (undoing an insert whose count update failed). */
  async remove(mongo: MongoStore, id: ObjectId): Promise<void> {
    await collection(mongo).deleteOne({ _id: id });
  },

  /** One page, newest first, limit + 1 documents so the caller knows whether more follow. */
  async page(mongo: MongoStore, eventId: string, after: CommentsAfter | null, limit: number): Promise<CommentDocument[]> {
    const base = { targetType: 'event' as const, targetId: eventId, deletedAt: null };
    const filter = after
      ? { ...base, $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }] }
      : base;
    return collection(mongo).find(filter, { sort: { createdAt: -1, _id: -1 }, limit: limit + 1 });
  },
};
