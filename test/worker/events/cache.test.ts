import { describe, expect, it } from 'vitest';
import type { EventListItem } from '../../../workers/events/schemas.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson } from '../../support/http.ts';
import { bearer, registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const title = async (id: string) => ((await (await call(`/api/v1/events/${id}`)).json()) as { title: string }).title;

describe('event caching', () => {
  it('GET /events/{id} is served from Redis until the event changes through the API', async () => {
    const organizer = await registerAndLogin();
    const event = await createEvent(organizer, { title: 'Original' });
    const stores = testStores();
    expect(await title(event.id)).toBe('Original');
    expect(await stores.redis.run((r) => r.ttl(`event:v1:${event.id}`))).toBeGreaterThan(29 * 60);

    // A change behind the API's back is not seen: the answer comes from the cache.
    await stores.postgres.query("update events set title = 'Changed in SQL' where id = $1", [event.id]);
    expect(await title(event.id)).toBe('Original');

    const put = await callJson(`/api/v1/events/${event.id}`, 'PUT', { summary: 'now cached again' }, bearer(organizer.tokens.accessToken));
    expect(put.status).toBe(200);
    expect(await title(event.id)).toBe('Changed in SQL');
  });

  it('featured is cached and re-ranked after an event changes', async () => {
    const organizer = await registerAndLogin();
    const event = await createEvent(organizer, { title: 'Soon popular' });
    const featured = async () => ((await (await call('/api/v1/events/featured?limit=50')).json()) as { items: EventListItem[] }).items;
    await featured();
    await testStores().postgres.query('update events set registration_count = 100000, like_count = 100000 where id = $1', [event.id]);
    expect((await featured())[0]?.id).not.toBe(event.id); // still the cached ranking
    expect((await callJson(`/api/v1/events/${event.id}`, 'PUT', { summary: 'bump' }, bearer(organizer.tokens.accessToken))).status).toBe(200);
    const [top] = await featured();
    expect(top).toMatchObject({ id: event.id, score: expect.any(Number) });
  });
});
