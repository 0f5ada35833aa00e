import { describe, expect, it } from 'vitest';
import { ensureTags } from '../../../workers/events/repo/tags.ts';
import type { CategoryNode } from '../../../workers/events/venue-schemas.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

interface TagView { id: string; slug: string; name: string; eventCount: number }

const tree = async () => {
  const response = await call('/api/v1/categories');
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: CategoryNode[] }).items;
};
const tags = async (query: string) => {
  const response = await call(`/api/v1/tags?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: TagView[] }).items;
};
const postCategory = (token: string, body: unknown) => callJson('/api/v1/categories', 'POST', body, bearer(token));
const putCategory = (token: string, id: string, body: unknown) => callJson(`/api/v1/categories/${id}`, 'PUT', body, bearer(token));
const find = (nodes: CategoryNode[], slug: string): CategoryNode | undefined => {
  for (const node of nodes) {
    if (node.slug === slug) return node;
    const found = find(node.subcategories, slug);
    if (found) return found;
  }
  return undefined;
};
const unique = () => crypto.randomUUID().slice(0, 8);

async function adminToken(user: TestUser): Promise<string> {
  await testStores().postgres.query("update accounts set role = 'admin' where id = $1", [user.id]);
  return (await login(user.email, user.password, clientAddress())).accessToken; // the role is read at login
}

async function created(token: string, body: Record<string, unknown>): Promise<CategoryNode> {
  const response = await postCategory(token, body);
  expect(response.status).toBe(201);
  return (await response.json()) as CategoryNode;
}

describe('categories', () => {
  it('serves the seeded tree: top-level categories with ordered subcategories, also at /api', async () => {
    const items = await tree();
    const music = find(items, 'music');
    expect(music).toMatchObject({ parentId: null, name: 'Music' });
    expect(music!.subcategories.map((sub) => sub.slug).slice(0, 3)).toEqual(['music-concerts', 'music-festivals', 'music-club-nights']);
    expect(music!.subcategories.every((sub) => sub.parentId === music!.id)).toBe(true);
    for (const slug of ['sports', 'arts', 'food', 'tech', 'outdoors']) expect(items.map((item) => item.slug)).toContain(slug);
    const sortOrders = items.map((item) => item.sortOrder);
    expect(sortOrders).toEqual([...sortOrders].sort((a, b) => a - b));
    expect((await call('/api/categories')).status).toBe(200);
  });

  it('lets an admin create and rearrange categories', async () => {
    const token = await adminToken(await registerAndLogin());
    const slug = `board-games-${unique()}`;
    const parent = await created(token, { slug, name: 'Board games', description: 'Tabletop', sortOrder: 5000 });
    const child = await created(token, { slug: `${slug}-chess`, name: 'Chess', parentId: parent.id });
    expect(child).toMatchObject({ parentId: parent.id, name: 'Chess', sortOrder: 0, subcategories: [] });
    expect(find(await tree(), slug)!.subcategories.map((sub) => sub.id)).toEqual([child.id]);

    const moved = await putCategory(token, child.id, { parentId: null, name: 'Chess clubs', icon: 'chess-knight' });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ parentId: null, name: 'Chess clubs', icon: 'chess-knight', slug: `${slug}-chess` });
    expect(find(await tree(), slug)!.subcategories).toEqual([]);
  });

  it('refuses a cycle, a taken slug and an unknown parent, leaving the tree as it was', async () => {
    const token = await adminToken(await registerAndLogin());
    const slug = `cycle-${unique()}`;
    const top = await created(token, { slug, name: 'Top' });
    const middle = await created(token, { slug: `${slug}-middle`, name: 'Middle', parentId: top.id });
    const bottom = await created(token, { slug: `${slug}-bottom`, name: 'Bottom', parentId: middle.id });
    const before = find(await tree(), slug);

    await expectProblem(await putCategory(token, top.id, { parentId: bottom.id }), 409);
    await expectProblem(await putCategory(token, top.id, { parentId: top.id }), 409);
    await expectProblem(await putCategory(token, bottom.id, { slug }), 409);
    await expectProblem(await postCategory(token, { slug, name: 'Duplicate' }), 409);
    await expectProblem(await postCategory(token, { slug: `${slug}-orphan`, name: 'Orphan', parentId: crypto.randomUUID() }), 422);
    await expectProblem(await putCategory(token, crypto.randomUUID(), { name: 'Nobody' }), 404);
    expect(find(await tree(), slug)).toEqual(before);
  });

  it('refuses malformed input with 400', async () => {
    const token = await adminToken(await registerAndLogin());
    for (const body of [
      { slug: 'Has Spaces', name: 'x' },
      { slug: 'ok-slug', name: '' },
      { slug: '-leading', name: 'x' },
      { slug: 'x'.repeat(81), name: 'x' },
      { slug: `ok-${unique()}`, name: 'x', parentId: 'not-a-uuid' },
      { slug: `ok-${unique()}`, name: 'x', id: crypto.randomUUID() },
      { slug: `ok-${unique()}`, name: 'x', sortOrder: 1.5 },
    ]) {
      await expectProblem(await postCategory(token, body), 400);
    }
    await expectProblem(await putCategory(token, crypto.randomUUID(), {}), 400);
    await expectProblem(await putCategory(token, 'nope', { name: 'x' }), 400);
  });

  it('needs an admin: no token is 401, users and moderators get 403', async () => {
    const [user, moderator] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    await testStores().postgres.query("update accounts set role = 'moderator', permissions = '{edit_event,manage_venues}' where id = $1", [moderator.id]);
    const moderatorToken = (await login(moderator.email, moderator.password, clientAddress())).accessToken;
    const slug = `forbidden-${unique()}`;
    await expectProblem(await callJson('/api/v1/categories', 'POST', { slug, name: 'x' }), 401);
    await expectProblem(await callJson(`/api/v1/categories/${crypto.randomUUID()}`, 'PUT', { name: 'x' }), 401);
    await expectProblem(await postCategory(user.tokens.accessToken, { slug, name: 'x' }), 403);
    await expectProblem(await postCategory(moderatorToken, { slug, name: 'x' }), 403);
    const music = find(await tree(), 'music')!;
    await expectProblem(await putCategory(user.tokens.accessToken, music.id, { name: 'Noise' }), 403);
    expect(find(await tree(), slug)).toBeUndefined();
    expect(find(await tree(), 'music')!.name).toBe('Music');
  });
});

describe('tags', () => {
  it('are created on the fly by slug, the same row for every spelling, also under concurrency', async () => {
    const word = `Zydeco${unique()}`;
    const names = [`${word} Night`, `  ${word.toUpperCase()}-night `, `Café ${word}`];
    const postgres = testStores().postgres;
    const results = await Promise.all(Array.from({ length: 10 }, () => postgres.transaction((tx) => ensureTags(tx, names))));
    const first = results[0]!;
    expect(first.map((tag) => tag.slug)).toEqual([`${word.toLowerCase()}-night`, `cafe-${word.toLowerCase()}`]);
    expect(first[0]!.name).toBe(`${word} Night`);
    for (const result of results) expect(result).toEqual(first);
    const [row] = await postgres.query<{ n: number }>('select count(*)::int as n from tags where slug like $1', [`%${word.toLowerCase()}%`]);
    expect(row!.n).toBe(2);
    await expect(ensureTags(postgres, ['!!!'])).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('lists tags by prefix, most used by published events first', async () => {
    const organizer = await registerAndLogin();
    const prefix = `qq${unique()}`;
    await createEvent(organizer, { tags: [`${prefix} rare`, `${prefix} common`] });
    await createEvent(organizer, { tags: [`${prefix} common`] });
    await createEvent(organizer, { tags: [`${prefix} common`, `${prefix} rare`], status: 'draft' });
    const found = await tags(`q=${prefix}`);
    expect(found.map((tag) => [tag.slug, tag.eventCount])).toEqual([[`${prefix}-common`, 2], [`${prefix}-rare`, 1]]);
    expect(await tags(`q=${prefix.toUpperCase()}&limit=1`)).toHaveLength(1);
    // LIKE wildcards in q are literal characters.
    expect(await tags(`q=${prefix.slice(0, 3)}_${prefix.slice(4)}`)).toEqual([]);
    expect((await tags('limit=100')).length).toBeGreaterThanOrEqual(2);
    for (const query of ['limit=0', 'limit=101', `q=${'x'.repeat(81)}`, 'popular=true']) {
      await expectProblem(await call(`/api/v1/tags?${query}`), 400);
    }
  });
});

describe('OpenAPI', () => {
  it('lists the venue, catalogue, engagement and analytics routes with their auth', async () => {
    const response = await call('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const expected: [string, string, boolean][] = [
      ['/api/v1/venues', 'get', false], ['/api/v1/venues', 'post', true], ['/api/v1/venues/{id}', 'put', true],
      ['/api/v1/categories', 'get', false], ['/api/v1/categories', 'post', true], ['/api/v1/categories/{id}', 'put', true],
      ['/api/v1/tags', 'get', false], ['/api/v1/events/{id}/like', 'post', true], ['/api/v1/events/{id}/like', 'delete', true],
      ['/api/v1/events/{id}/comments', 'post', true], ['/api/v1/events/{id}/comments/{commentId}', 'delete', true],
      ['/api/v1/events/{id}/share', 'post', true], ['/api/v1/events/{id}/analytics', 'get', true],
    ];
    for (const [path, method, authed] of expected) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      if (authed) expect(operation!.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
    }
  });
});
