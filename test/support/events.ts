import { expect } from 'vitest';
import type { EventDocument, EventInput } from '../../workers/events/schemas.ts';
import { callJson } from './http.ts';
import { bearer, type TestUser } from './identity.ts';

export type TestEvent = EventDocument;

const HOUR = 3_600_000;

/**
 * Creates a published event through the API, by default in person in central Milan, starting
 * tomorrow and lasting two hours, with unlimited capacity; `overrides` replace any field
 * (e.g. `{ capacity: 10 }`, `{ type: 'virtual', virtualUrl: 'https://meet.example.com/x' }`).
 */
export async function createEvent(organizer: TestUser, overrides: Partial<EventInput> = {}): Promise<TestEvent> {
  const startsAt = new Date(Date.now() + 24 * HOUR);
  const virtual = overrides.type === 'virtual';
  const body = {
    title: `Test event ${crypto.randomUUID().slice(0, 8)}`,
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * HOUR).toISOString(),
    timezone: 'Europe/Rome',
    status: 'published',
    ...(virtual ? {} : { location: { lat: 45.4642, lng: 9.19 }, address: 'Piazza del Duomo, Milano' }),
    ...overrides,
  };
  const response = await callJson('/api/v1/events', 'POST', body, bearer(organizer.tokens.accessToken));
  if (response.status !== 201) throw new Error(`createEvent: ${response.status} ${await response.text()}`);
  const event = (await response.json()) as TestEvent;
  expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
  return event;
}
