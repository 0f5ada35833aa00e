import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { addComment, deleteComment, likeEvent, listComments, shareEvent, unlikeEvent } from '../service/engagement.ts';
import {
  commentPageSchema, commentParams, commentSchema, createCommentBody, idParam, likeStateSchema, listCommentsQuery, shareBody, shareResultSchema,
} from '../venue-schemas.ts';
import { maybeAuthed } from './events.ts';

const routes = {
  like: createRoute({
    method: 'post', path: '/{id}/like', tags: ['engagement'], ...authed,
    summary: 'Like an event (liking twice changes nothing)',
    request: { params: idParam },
    responses: { 200: { description: 'Liked', ...jsonContent(likeStateSchema) }, ...problemResponses(400, 401, 404, 409) },
  }),
  unlike: createRoute({
    method: 'delete', path: '/{id}/like', tags: ['engagement'], ...authed,
    summary: 'Take back your like (without one, nothing changes)',
    request: { params: idParam },
    responses: { 200: { description: 'Not liked', ...jsonContent(likeStateSchema) }, ...problemResponses(400, 401, 404) },
  }),
  comments: createRoute({
    method: 'get', path: '/{id}/comments', tags: ['engagement'], ...maybeAuthed,
    summary: 'Comments of an event, newest first, cursor-paginated',
    request: { params: idParam, query: listCommentsQuery },
    responses: { 200: { description: 'One page of comments', ...jsonContent(commentPageSchema) }, ...problemResponses(400, 401, 404) },
  }),
  comment: createRoute({
    method: 'post', path: '/{id}/comments', tags: ['engagement'], ...authed,
    summary: 'Comment on an event (plain text, 1 to 2000 characters)',
    request: { params: idParam, body: jsonBody(createCommentBody) },
    responses: { 201: { description: 'The comment', ...jsonContent(commentSchema) }, ...problemResponses(400, 401, 404, 409) },
  }),
  deleteComment: createRoute({
    method: 'delete', path: '/{id}/comments/{commentId}', tags: ['engagement'], ...authed,
    summary: 'Delete a comment (its author, the event\'s organizer, a moderator or an admin)',
    request: { params: commentParams },
    responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404) },
  }),
  share: createRoute({
    method: 'post', path: '/{id}/share', tags: ['engagement'], ...authed,
    summary: 'Count a share of the event (once per user and event per hour)',
    request: { params: idParam, body: jsonBody(shareBody) },
    responses: { 200: { description: 'The share count', ...jsonContent(shareResultSchema) }, ...problemResponses(400, 401, 404, 409) },
  }),
};

/** Likes, comments and shares of events: /api/v1/events/{id}/{like,comments,share}. */
export const engagementRoutes = createServiceApp()
  .openapi(routes.like, async (c) => c.json(await likeEvent(c.get('stores'), currentUser(c), c.req.valid('param').id), 200))
  .openapi(routes.unlike, async (c) => c.json(await unlikeEvent(c.get('stores'), currentUser(c), c.req.valid('param').id), 200))
  .openapi(routes.comments, async (c) => {
    const page = await listComments(c.get('stores'), c.get('auth') ?? null, c.req.valid('param').id, c.req.valid('query'));
    return c.json(page, 200);
  })
  .openapi(routes.comment, async (c) => {
    const comment = await addComment(c.get('stores'), currentUser(c), c.req.valid('param').id, c.req.valid('json').body);
    return c.json(comment, 201);
  })
  .openapi(routes.deleteComment, async (c) => {
    const { id, commentId } = c.req.valid('param');
    await deleteComment(c.get('stores'), currentUser(c), id, commentId);
    return c.body(null, 204);
  })
  .openapi(routes.share, async (c) => c.json(await shareEvent(c.get('stores'), currentUser(c), c.req.valid('param').id, c.req.valid('json').channel), 200));
