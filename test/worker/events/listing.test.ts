import { describe, expect, it } from 'vitest';
import type { EventListItem } from '../../../workers/events/schemas.ts';
import { createEvent } from '../../support/events.ts';
import { call, expectProblem } from '../../support/http.ts';
import { bearer, registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
interface Page { items: EventListItem[]; nextCursor: string | null }

async function list(query: Record<string, string>, token?: string): Promise<Page> {
  const response = await call(`/api/v1/events?${new URLSearchParams(query)}`, { headers: token ? bearer(token) : {} });
  expect(response.status).toBe(200);
  return (await response.json()) as Page;
}

const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const uniqueTag = () => `t${crypto.randomUUID().slice(0, 12)}`;

describe('GET /events', () => {
  it('cursor pagination returns every matching event once, in start order', async () => {
    const organizer = await registerAndLogin();
    const tag = uniqueTag();
    const created = await Promise.all(Array.from({ length: 7 }, (_, index) =>
      createEvent(organizer, { tags: [tag], startsAt: at((index % 3 + 1) * DAY), endsAt: at((index % 3 + 1) * DAY + HOUR) })));
    const seen: EventListItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list({ tags: tag, limit: '3', ...(cursor ? { cursor } : {}) });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((e) => e.id).sort()).toEqual(created.map((e) => e.id).sort());
    const starts = seen.map((e) => Date.parse(e.occurrence!.startsAt));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('expands recurring events into their occurrences inside the window', async () => {
    const organizer = await registerAndLogin();
    const tag = uniqueTag();
    const first = new Date(Date.now() + DAY);
    first.setUTCHours(10, 0, 0, 0);
    const weekly = await createEvent(organizer, {
      tags: [tag], startsAt: first.toISOString(), endsAt: new Date(first.getTime() + HOUR).toISOString(), timezone: 'UTC',
      recurrence: { freq: 'weekly', count: 4 },
    });
    const oneOff = await createEvent(organizer, { tags: [tag], startsAt: new Date(first.getTime() + 3 * DAY).toISOString(), endsAt: new Date(first.getTime() + 3 * DAY + HOUR).toISOString() });
    const page = await list({ tags: tag, from: new Date(first.getTime() - HOUR).toISOString(), to: new Date(first.getTime() + 15 * DAY).toISOString() });
    expect(page.items.map((e) => [e.id, e.occurrence!.startsAt])).toEqual([
      [weekly.id, first.toISOString()],
      [oneOff.id, new Date(first.getTime() + 3 * DAY).toISOString()],
      [weekly.id, new Date(first.getTime() + 7 * DAY).toISOString()],
      [weekly.id, new Date(first.getTime() + 14 * DAY).toISOString()],
    ]);
    // The series ends with its fourth occurrence: a window after it finds nothing.
    const [row] = await testStores().postgres.query<{ series_ends_at: Date }>('select series_ends_at from events where id = $1', [weekly.id]);
    expect(row!.series_ends_at.toISOString()).toBe(new Date(first.getTime() + 21 * DAY + HOUR).toISOString());
    expect((await list({ tags: tag, from: new Date(first.getTime() + 22 * DAY).toISOString() })).items).toEqual([]);
    // A cancelled occurrence disappears from listings.
    await testStores().postgres.query("insert into event_occurrence_exceptions (event_id, original_starts_at, kind) values ($1, $2, 'cancelled')", [weekly.id, new Date(first.getTime() + 7 * DAY)]);
    const after = await list({ tags: tag, from: new Date(first.getTime() - HOUR).toISOString(), to: new Date(first.getTime() + 15 * DAY).toISOString() });
    expect(after.items).toHaveLength(3);
  });

  it('filters by category (with subcategories), type, price and status; drafts only for their organizer', async () => {
    const [organizer, stranger] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const tag = uniqueTag();
    const db = testStores().postgres;
    const [parent] = await db.query<{ id: string }>('insert into categories (slug, name) values ($1, $1) returning id', [`music-${tag}`]);
    const [child] = await db.query<{ id: string }>('insert into categories (slug, name, parent_id) values ($1, $1, $2) returning id', [`jazz-${tag}`, parent!.id]);
    const inChild = await createEvent(organizer, { tags: [tag], categoryId: child!.id });
    const virtual = await createEvent(organizer, { tags: [tag], type: 'virtual', virtualUrl: 'https://meet.example.com/a' });
    const paid = await createEvent(organizer, { tags: [tag] });
    await db.query("update events set is_free = false, price_min_minor = 1500, price_max_minor = 3000, currency = 'EUR' where id = $1", [paid.id]);
    const draft = await createEvent(organizer, { tags: [tag], status: 'draft' });

    expect((await list({ tags: tag, category: `music-${tag}` })).items.map((e) => e.id)).toEqual([inChild.id]);
    expect((await list({ tags: tag, category: parent!.id })).items.map((e) => e.id)).toEqual([inChild.id]);
    const virtualItems = (await list({ tags: tag, type: 'virtual' })).items;
    expect(virtualItems.map((e) => e.id)).toEqual([virtual.id]);
    expect(virtualItems[0]).not.toHaveProperty('virtualUrl'); // listings never carry the link
    expect((await list({ tags: tag, free: 'false' })).items.map((e) => e.id)).toEqual([paid.id]);
    expect((await list({ tags: tag, priceMin: '2000', priceMax: '2500' })).items.map((e) => e.id)).toEqual([paid.id]);
    expect((await list({ tags: tag, priceMax: '1000', free: 'false' })).items).toEqual([]);
    expect((await list({ tags: tag, status: 'draft' }, organizer.tokens.accessToken)).items.map((e) => e.id)).toEqual([draft.id]);
    expect((await list({ tags: tag, status: 'draft' }, stranger.tokens.accessToken)).items).toEqual([]);
    expect((await list({ tags: tag, status: 'draft' })).items).toEqual([]);
    expect((await list({ tags: tag })).items.map((e) => e.id)).not.toContain(draft.id);
  });

  it('sparse fields return only what was asked (and the id)', async () => {
    const organizer = await registerAndLogin();
    const tag = uniqueTag();
    await createEvent(organizer, { tags: [tag] });
    const [item] = (await list({ tags: tag, fields: 'title,startsAt' })).items;
    expect(Object.keys(item!).sort()).toEqual(['id', 'startsAt', 'title']);
  });

  it('hostile or malformed queries are 400 problems', async () => {
    for (const query of [
      'near=91,0', 'near=abc', 'near=45,9&radius=500km', 'near=45,9&radius=-1', 'radius=5km', 'sort=chaos', 'sort=distance',
      'sort=relevance', 'fields=title,passwordHash', 'limit=1000', 'limit=0', 'cursor=not-a-cursor', 'from=yesterday',
      'from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'status=deleted', 'priceMin=-5', 'type=space', 'evil=1',
      `q=${'x'.repeat(300)}`,
    ]) {
      await expectProblem(await call(`/api/v1/events?${query}`), 400);
    }
    // A cursor from one sort is refused by another.
    const organizer = await registerAndLogin();
    const tag = uniqueTag();
    await Promise.all([createEvent(organizer, { tags: [tag] }), createEvent(organizer, { tags: [tag] })]);
    const { nextCursor } = await list({ tags: tag, limit: '1' });
    await expectProblem(await call(`/api/v1/events?tags=${tag}&sort=popularity&cursor=${nextCursor}`), 400);
    await expectProblem(await call('/api/v1/events', { headers: bearer('garbage-token') }), 401);
  });
});
