import { describe, expect, it } from 'vitest';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { quickUser, quickUsers } from '../../support/ticketing.ts';

interface LikeState { liked: boolean; likeCount: number }
interface CommentView { id: string; eventId: string; author: { id: string; username: string | null }; body: string; createdAt: string }
interface CommentPage { items: CommentView[]; nextCursor: string | null; commentCount: number }

const token = (user: TestUser) => bearer(user.tokens.accessToken);
const like = (eventId: string, user: TestUser) => call(`/api/v1/events/${eventId}/like`, { method: 'POST', headers: token(user) });
const unlike = (eventId: string, user: TestUser) => call(`/api/v1/events/${eventId}/like`, { method: 'DELETE', headers: token(user) });
const comment = (eventId: string, user: TestUser, body: unknown) => callJson(`/api/v1/events/${eventId}/comments`, 'POST', body, token(user));
const removeComment = (eventId: string, commentId: string, user: TestUser) =>
  call(`/api/v1/events/${eventId}/comments/${commentId}`, { method: 'DELETE', headers: token(user) });
const share = (eventId: string, user: TestUser, channel = 'whatsapp') => callJson(`/api/v1/events/${eventId}/share`, 'POST', { channel }, token(user));
const counters = async (eventId: string) =>
  (await testStores().postgres.query<{ like_count: number; comment_count: number; share_count: number }>(
    'select like_count, comment_count, share_count from events where id = $1', [eventId]))[0]!;
const comments = async (eventId: string, query = '', user?: TestUser) => {
  const response = await call(`/api/v1/events/${eventId}/comments?${query}`, { headers: user ? token(user) : {} });
  expect(response.status).toBe(200);
  return (await response.json()) as CommentPage;
};
const posted = async (eventId: string, user: TestUser, body: string) => {
  const response = await comment(eventId, user, { body });
  expect(response.status).toBe(201);
  return (await response.json()) as CommentView;
};

async function withRole(role: 'admin' | 'moderator'): Promise<TestUser> {
  const user = await registerAndLogin();
  await testStores().postgres.query('update accounts set role = $2 where id = $1', [user.id, role]);
  return { ...user, tokens: await login(user.email, user.password, clientAddress()) }; // the role is read at login
}

describe('likes', () => {
  it('like and unlike are idempotent and keep like_count exact', async () => {
    const [organizer, fan] = await Promise.all([quickUser(), quickUser()]);
    const event = await createEvent(organizer);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await like(event.id, fan);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ liked: true, likeCount: 1 } satisfies LikeState);
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await unlike(event.id, fan);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ liked: false, likeCount: 0 } satisfies LikeState);
    }
    expect((await counters(event.id)).like_count).toBe(0);
  });

  it('counts 50 users liking at once as 50, and one user liking 10 times at once as 1', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const crowd = await quickUsers(50);
    const responses = await Promise.all(crowd.map((user) => like(event.id, user)));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect((await counters(event.id)).like_count).toBe(50);

    const other = await createEvent(organizer);
    const fan = await quickUser();
    const repeated = await Promise.all(Array.from({ length: 10 }, () => like(other.id, fan)));
    expect(repeated.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect((await counters(other.id)).like_count).toBe(1);
    const [rows] = await testStores().postgres.query<{ n: number }>('select count(*)::int as n from event_likes where event_id = $1', [other.id]);
    expect(rows!.n).toBe(1);
  });

  it('needs a token, hides drafts of others, refuses cancelled events and bad ids', async () => {
    const [organizer, stranger] = await Promise.all([quickUser(), quickUser()]);
    const event = await createEvent(organizer);
    await expectProblem(await call(`/api/v1/events/${event.id}/like`, { method: 'POST' }), 401);
    await expectProblem(await call(`/api/v1/events/${event.id}/like`, { method: 'DELETE' }), 401);
    await expectProblem(await like(crypto.randomUUID(), stranger), 404);
    await expectProblem(await like('not-a-uuid', stranger), 400);

    const draft = await createEvent(organizer, { status: 'draft' });
    await expectProblem(await like(draft.id, stranger), 404);
    await expectProblem(await share(draft.id, stranger), 404);
    await expectProblem(await comment(draft.id, stranger, { body: 'hello' }), 404);

    expect((await call(`/api/v1/events/${event.id}`, { method: 'DELETE', headers: token(organizer) })).status).toBe(200);
    await expectProblem(await like(event.id, stranger), 409);
    await expectProblem(await comment(event.id, stranger, { body: 'too late' }), 409);
    expect(await counters(event.id)).toEqual({ like_count: 0, comment_count: 0, share_count: 0 });
  });
});

describe('comments', () => {
  it('posts plain-text comments, lists them newest first by cursor and keeps comment_count', async () => {
    const [organizer, alice, bob] = await Promise.all([quickUser(), quickUser(), quickUser()]);
    const event = await createEvent(organizer);
    const first = await posted(event.id, alice, '  See you there!\nBringing friends.  ');
    expect(first).toMatchObject({ eventId: event.id, author: { id: alice.id, username: alice.username }, body: 'See you there!\nBringing friends.' });
    const written: CommentView[] = [first];
    for (const [index, user] of [bob, alice, bob, alice].entries()) written.push(await posted(event.id, user, `comment ${index} <b>not html</b>`));
    expect((await counters(event.id)).comment_count).toBe(5);

    const page1 = await comments(event.id, 'limit=2');
    expect(page1.commentCount).toBe(5);
    const page2 = await comments(event.id, `limit=2&cursor=${page1.nextCursor}`);
    const page3 = await comments(event.id, `limit=2&cursor=${page2.nextCursor}`, alice);
    expect([...page1.items, ...page2.items, ...page3.items].map((item) => item.id)).toEqual(written.map((item) => item.id).reverse());
    expect(page3.nextCursor).toBeNull();
    expect(page1.items[0]!.body).toBe('comment 3 <b>not html</b>');
  });

  it('lets the author, the organizer, a moderator and an admin delete; nobody else; counts once', async () => {
    const [organizer, author, stranger] = await Promise.all([quickUser(), quickUser(), quickUser()]);
    const [moderator, admin] = await Promise.all([withRole('moderator'), withRole('admin')]);
    const event = await createEvent(organizer);
    const [mine, byOrganizer, byModerator, byAdmin] = await Promise.all(['a', 'b', 'c', 'd'].map((body) => posted(event.id, author, body)));

    await expectProblem(await removeComment(event.id, mine!.id, stranger), 403);
    await expectProblem(await call(`/api/v1/events/${event.id}/comments/${mine!.id}`, { method: 'DELETE' }), 401);
    const other = await createEvent(organizer);
    await expectProblem(await removeComment(other.id, mine!.id, author), 404); // not a comment of that event
    await expectProblem(await removeComment(event.id, 'zzz', author), 400);

    const twice = await Promise.all([removeComment(event.id, mine!.id, author), removeComment(event.id, mine!.id, author)]);
    expect(twice.map((response) => response.status).sort()).toEqual([204, 404]);
    expect((await removeComment(event.id, byOrganizer!.id, organizer)).status).toBe(204);
    expect((await removeComment(event.id, byModerator!.id, moderator)).status).toBe(204);
    expect((await removeComment(event.id, byAdmin!.id, admin)).status).toBe(204);
    expect((await counters(event.id)).comment_count).toBe(0);
    expect((await comments(event.id)).items).toEqual([]);
  });

  it('refuses empty, oversized, control-character and unknown-field bodies without writing', async () => {
    const [organizer, user] = await Promise.all([quickUser(), quickUser()]);
    const event = await createEvent(organizer);
    for (const body of [{ body: '' }, { body: '   ' }, { body: 'x'.repeat(2001) }, { body: 'bell\u0007' }, { body: 42 }, { body: 'ok', authorId: organizer.id }, {}]) {
      await expectProblem(await comment(event.id, user, body), 400);
    }
    await expectProblem(await callJson(`/api/v1/events/${event.id}/comments`, 'POST', JSON.parse('{"body":"x","$set":{"authorId":"a"}}'), token(user)), 400);
    await expectProblem(await comment(event.id, user, { body: 'x'.repeat(2000) }).then(async (response) => {
      expect(response.status).toBe(201);
      return call(`/api/v1/events/${event.id}/comments?cursor=bm90LWEtY3Vyc29y`);
    }), 400);
    await expectProblem(await call(`/api/v1/events/${event.id}/comments?limit=101`), 400);
    await expectProblem(await callJson(`/api/v1/events/${event.id}/comments`, 'POST', { body: 'anonymous' }), 401);
    expect((await counters(event.id)).comment_count).toBe(1);
  });
});

describe('shares', () => {
  it('counts one share per user and event per hour, however often it is sent', async () => {
    const [organizer, alice, bob] = await Promise.all([quickUser(), quickUser(), quickUser()]);
    const event = await createEvent(organizer);
    const burst = await Promise.all(Array.from({ length: 10 }, () => share(event.id, alice)));
    const results = (await Promise.all(burst.map((response) => response.json()))) as { counted: boolean; shareCount: number }[];
    expect(results.filter((result) => result.counted)).toHaveLength(1);
    const bobShare = await share(event.id, bob, 'email');
    expect(await bobShare.json()).toEqual({ counted: true, shareCount: 2 });
    expect((await counters(event.id)).share_count).toBe(2);

    await expectProblem(await share(event.id, alice, 'carrier-pigeon'), 400);
    await expectProblem(await callJson(`/api/v1/events/${event.id}/share`, 'POST', { channel: 'link' }), 401);
    await expectProblem(await share(crypto.randomUUID(), alice), 404);
    expect((await counters(event.id)).share_count).toBe(2);
  });

  it('splits the counted shares by channel for the organizer, in step with the total under parallel shares', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const sharers = await quickUsers(12);
    const channels = ['whatsapp', 'email', 'link'];
    await Promise.all(sharers.map((user, index) => share(event.id, user, channels[index % 3])));
    await share(event.id, sharers[0]!, 'link'); // within the hour: not counted anywhere
    const response = await call(`/api/v1/events/${event.id}/analytics`, { headers: token(organizer) });
    expect(await response.json()).toMatchObject({ shares: 12, sharesByChannel: { whatsapp: 4, email: 4, link: 4 } });
  });
});
