import { describe, expect, it } from 'vitest';
import type { EventListItem } from '../../../workers/events/schemas.ts';
import { createEvent } from '../../support/events.ts';
import { call } from '../../support/http.ts';
import { registerAndLogin } from '../../support/identity.ts';

describe('full-text search', () => {
  it('ranks title matches before summary and description matches, and pages by rank', async () => {
    const organizer = await registerAndLogin();
    const word = `zorblax${crypto.randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const inDescription = await createEvent(organizer, { title: 'An evening out', description: `We will talk about ${word} at length.` });
    const inTitle = await createEvent(organizer, { title: `The ${word} festival`, description: 'Music and food.' });
    const inSummary = await createEvent(organizer, { title: 'Weekend market', summary: `Stalls and ${word}` });
    await createEvent(organizer, { title: 'Unrelated gathering' });

    const response = await call(`/api/v1/events?q=${word}&sort=relevance`);
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: EventListItem[] };
    expect(items.map((e) => e.id)).toEqual([inTitle.id, inSummary.id, inDescription.id]);
    expect(items[0]!.rank).toBeGreaterThan(items[2]!.rank!);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await call(`/api/v1/events?q=${word}&sort=relevance&limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: EventListItem[]; nextCursor: string | null };
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen).toEqual([inTitle.id, inSummary.id, inDescription.id]);
  });

  it('pages through events of equal rank by id, each once, whatever the page size', async () => {
    const organizer = await registerAndLogin();
    const word = `plinth${crypto.randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const tied = await Promise.all([1, 2, 3, 4].map(() => createEvent(organizer, { title: `Open ${word} evening` })));
    const below = await createEvent(organizer, { title: 'Open evening', summary: `About ${word}` });
    const expected = [...tied.map((e) => e.id).sort(), below.id];
    for (const limit of [1, 2, 3]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await (await call(`/api/v1/events?q=${word}&sort=relevance&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: EventListItem[]; nextCursor: string | null };
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen).toEqual(expected);
    }
  });

  it('web search syntax: quoted phrases and exclusions', async () => {
    const organizer = await registerAndLogin();
    const word = `quuxle${crypto.randomUUID().replace(/[^a-f]/g, '').slice(0, 6)}`;
    const a = await createEvent(organizer, { title: `${word} jazz brunch` });
    const b = await createEvent(organizer, { title: `${word} rock night` });
    const ids = async (q: string) => ((await (await call(`/api/v1/events?q=${encodeURIComponent(q)}`)).json()) as { items: EventListItem[] }).items.map((e) => e.id);
    expect(await ids(`${word} -jazz`)).toEqual([b.id]);
    expect((await ids(`"${word} jazz"`))).toEqual([a.id]);
    expect(await ids(`${word} & ' ) ( : *`)).toEqual(expect.any(Array)); // operators in the input never break the query
  });
});
