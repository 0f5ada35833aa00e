import { describe, expect, it } from 'vitest';
import type { TierView } from '../../../workers/events/service/tiers.ts';
import { createEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, createTier, quickUser, seatsOf, waitlistOf } from '../../support/ticketing.ts';

const listTiers = (eventId: string, user?: TestUser) => call(`/api/v1/events/${eventId}/tiers`, { headers: user ? bearer(user.tokens.accessToken) : {} });
const putTier = (eventId: string, tierId: string, user: TestUser, body: unknown) => callJson(`/api/v1/events/${eventId}/tiers/${tierId}`, 'PUT', body, bearer(user.tokens.accessToken));
const deleteTier = (eventId: string, tierId: string, user: TestUser) => call(`/api/v1/events/${eventId}/tiers/${tierId}`, { method: 'DELETE', headers: bearer(user.tokens.accessToken) });

async function priceSummary(eventId: string) {
  const [row] = await testStores().postgres.query<{ is_free: boolean; price_min_minor: string | null; price_max_minor: string | null; currency: string | null }>(
    'select is_free, price_min_minor, price_max_minor, currency from events where id = $1', [eventId]);
  return row!;
}

async function created(response: Response): Promise<TierView> {
  expect(response.status).toBe(201);
  return (await response.json()) as TierView;
}

describe('ticket tiers', () => {
  it('creates, lists, changes and deletes tiers, keeping the event price summary in step', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    expect(await priceSummary(event.id)).toEqual({ is_free: true, price_min_minor: null, price_max_minor: null, currency: null });

    const free = await created(await createTier(event.id, organizer, { name: 'Community', kind: 'free', quantity: 50, sortOrder: 0 }));
    expect(free).toMatchObject({ eventId: event.id, name: 'Community', kind: 'free', priceMinor: 0, quantity: 50, sold: 0, held: 0, available: 50 });
    expect(await priceSummary(event.id)).toMatchObject({ is_free: true, price_min_minor: null });

    const vip = await created(await createTier(event.id, organizer, {
      name: 'VIP', kind: 'paid', priceMinor: 4500, currency: 'EUR', quantity: 10, maxPerOrder: 2, sortOrder: 1,
      salesStartAt: new Date(Date.now() - 60_000).toISOString(), salesEndAt: new Date(Date.now() + 3600_000).toISOString(),
    }));
    expect(await priceSummary(event.id)).toEqual({ is_free: false, price_min_minor: '0', price_max_minor: '4500', currency: 'EUR' });

    const anonymous = await listTiers(event.id);
    expect(anonymous.status).toBe(200);
    expect(((await anonymous.json()) as TierView[]).map((tier) => tier.name)).toEqual(['Community', 'VIP']);

    const changed = await putTier(event.id, vip.id, organizer, { priceMinor: 6000, description: 'Front row' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: vip.id, priceMinor: 6000, description: 'Front row', quantity: 10, maxPerOrder: 2 });
    expect(await priceSummary(event.id)).toMatchObject({ price_max_minor: '6000' });

    expect((await deleteTier(event.id, vip.id, organizer)).status).toBe(204);
    expect(await priceSummary(event.id)).toEqual({ is_free: true, price_min_minor: null, price_max_minor: null, currency: null });
    await expectProblem(await deleteTier(event.id, vip.id, organizer), 404);
    expect(((await (await listTiers(event.id)).json()) as TierView[]).map((tier) => tier.id)).toEqual([free.id]);
  });

  it('counts seats sold per tier; a tier with registrations cannot be deleted or shrunk below them', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const tier = await created(await createTier(event.id, organizer, { name: 'General', quantity: 3, maxPerOrder: 3 }));
    const user = await quickUser();
    expect((await attend(event.id, user, { tierId: tier.id, quantity: 2 })).status).toBe(201);
    expect(((await (await listTiers(event.id)).json()) as TierView[])[0]).toMatchObject({ sold: 2, available: 1 });

    await expectProblem(await deleteTier(event.id, tier.id, organizer), 409);
    await expectProblem(await putTier(event.id, tier.id, organizer, { quantity: 1 }), 409);
    expect((await cancelAttendance(event.id, user)).status).toBe(204);
    await expectProblem(await deleteTier(event.id, tier.id, organizer), 409); // past registrations are kept with their tier
    expect(((await (await listTiers(event.id)).json()) as TierView[])[0]).toMatchObject({ sold: 0, quantity: 3 });
  });

  it('a tier that sells out sends buyers to the waitlist; raising its quantity offers the new seats', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 100 });
    const tier = await created(await createTier(event.id, organizer, { name: 'Early bird', quantity: 1 }));
    expect((await attend(event.id, await quickUser(), { tierId: tier.id })).status).toBe(201);
    const waiting = await quickUser();
    expect((await attend(event.id, waiting, { tierId: tier.id })).status).toBe(202);
    expect((await putTier(event.id, tier.id, organizer, { quantity: 2 })).status).toBe(200);
    expect(await waitlistOf(event.id)).toEqual([expect.objectContaining({ account_id: waiting.id, status: 'offered' })]);
    expect(await seatsOf(event.id)).toMatchObject({ seats_sold: 1, seats_held: 1 });
  });

  it('staff with edit_event may manage tiers; drafts show their tiers to the organizer only', async () => {
    const organizer = await quickUser();
    const draft = await createEvent(organizer, { status: 'draft' });
    const editor = await quickUser(['edit_event']);
    const tier = await created(await createTier(draft.id, editor, { name: 'Staff-made' }));
    expect((await listTiers(draft.id, organizer)).status).toBe(200);
    await expectProblem(await listTiers(draft.id), 404);
    await expectProblem(await listTiers(draft.id, await quickUser()), 404);
    expect((await putTier(draft.id, tier.id, editor, { name: 'Renamed' })).status).toBe(200);
  });
});

describe('ticket tiers: refusals', () => {
  it('needs a token, and only the organizer or edit_event may change tiers', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const tier = await created(await createTier(event.id, organizer, { name: 'General' }));
    await expectProblem(await call(`/api/v1/events/${event.id}/tiers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x' }) }), 401);
    await expectProblem(await call(`/api/v1/events/${event.id}/tiers/${tier.id}`, { method: 'DELETE' }), 401);
    const stranger = await quickUser(['manage_attendees']);
    await expectProblem(await createTier(event.id, stranger, { name: 'Mine' }), 403);
    await expectProblem(await putTier(event.id, tier.id, stranger, { priceMinor: 0 }), 403);
    await expectProblem(await deleteTier(event.id, tier.id, stranger), 403);
    // A tier of another event through this event's path: not found, untouched.
    const other = await createEvent(stranger);
    await expectProblem(await putTier(other.id, tier.id, stranger, { name: 'Hijacked' }), 404);
    await expectProblem(await deleteTier(other.id, tier.id, stranger), 404);
    expect(((await (await listTiers(event.id)).json()) as TierView[]).map((t) => t.name)).toEqual(['General']);
  });

  it('rejects invalid tiers with 400 and conflicting ones with 409, writing nothing', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const later = new Date(Date.now() + 7200_000).toISOString();
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'Free but not', kind: 'free', priceMinor: 100 },
      { name: 'Paid for nothing', kind: 'paid', priceMinor: 0, currency: 'EUR' },
      { name: 'No currency', kind: 'paid', priceMinor: 100 },
      { name: 'Bad currency', kind: 'paid', priceMinor: 100, currency: 'euro' },
      { name: 'Backwards', salesStartAt: later, salesEndAt: soon },
      { name: 'Negative', quantity: -1 },
      { name: 'Huge order', maxPerOrder: 0 },
      { name: 'Sneaky', soldCount: 0 },
      { name: 'Polluted', __proto__: { admin: true }, constructor: {} },
    ]) {
      await expectProblem(await createTier(event.id, organizer, body), 400);
    }
    const tier = await created(await createTier(event.id, organizer, { name: 'Paid', kind: 'paid', priceMinor: 100, currency: 'EUR' }));
    await expectProblem(await createTier(event.id, organizer, { name: 'paid' }), 409); // names are unique per event, any case
    await expectProblem(await createTier(event.id, organizer, { name: 'Dollars', kind: 'paid', priceMinor: 100, currency: 'USD' }), 409);
    await expectProblem(await putTier(event.id, tier.id, organizer, {}), 400);
    await expectProblem(await putTier(event.id, tier.id, organizer, { kind: 'free' }), 400); // would be free with a price
    await expectProblem(await putTier(event.id, 'not-a-uuid', organizer, { name: 'x' }), 400);
    await expectProblem(await createTier(crypto.randomUUID(), organizer, { name: 'Nowhere' }), 404);
    expect(((await (await listTiers(event.id)).json()) as TierView[])).toEqual([expect.objectContaining({ name: 'Paid', kind: 'paid', priceMinor: 100 })]);
    expect(await priceSummary(event.id)).toMatchObject({ price_min_minor: '100', currency: 'EUR' });
  });

  it('tiers of a cancelled event are frozen', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    const tier = await created(await createTier(event.id, organizer, { name: 'General' }));
    await testStores().postgres.query("update events set status = 'cancelled', cancelled_at = now() where id = $1", [event.id]);
    await expectProblem(await createTier(event.id, organizer, { name: 'Late' }), 409);
    await expectProblem(await putTier(event.id, tier.id, organizer, { name: 'Late' }), 409);
    await expectProblem(await deleteTier(event.id, tier.id, organizer), 409);
  });
});
