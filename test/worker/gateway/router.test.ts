import { TrieRouter } from 'hono/router/trie-router';
import { describe, expect, it } from 'vitest';
import { RememberingRouter } from '../../../shared/http/remembering-router.ts';
import { createGateway } from '../../../workers/gateway/app.ts';
import { createEvent, type TestEvent } from '../../support/events.ts';
import { call } from '../../support/http.ts';
import { registerAndLogin } from '../../support/identity.ts';

type Handler = (typeof gatewayRoutes)[number]['handler'];
const gatewayRoutes = createGateway().routes;

/** A remembering router and a plain trie holding the gateway's routes, in the gateway's order. */
function routersWithGatewayRoutes() {
  const remembering = new RememberingRouter<Handler>();
  const trie = new TrieRouter<Handler>();
  for (const { method, path, handler } of gatewayRoutes) {
    remembering.add(method, path, handler);
    trie.add(method, path, handler);
  }
  return { remembering, trie };
}

const id = (n: number) => `0000${n.toString(16).padStart(4, '0')}-0000-4000-8000-000000000000`;
const PATHS = [
  '/health',
  '/health/ready',
  '/api/v1/users/me',
  `/api/v1/users/${id(1)}`,
  '/api/v1/events',
  '/api/v1/events/nearby',
  `/api/v1/events/${id(2)}`,
  `/api/v1/events/${id(3)}.ics`,
  `/api/v1/events/${id(4)}/comments`,
  '/api/v1/no-such-thing',
  '/',
];

describe('route matching with remembered matches', () => {
  it('matches every path as the plain trie does, the first time and when remembered', () => {
    const { remembering, trie } = routersWithGatewayRoutes();
    for (const round of [1, 2]) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        for (const path of PATHS) expect(remembering.match(method, path), `${method} ${path} (round ${round})`).toEqual(trie.match(method, path));
      }
    }
  });

  it('stays right past the number of paths it remembers, each path with its own params', () => {
    const { remembering, trie } = routersWithGatewayRoutes();
    const paths = Array.from({ length: 2_500 }, (_, n) => `/api/v1/events/${id(n)}`);
    for (const path of [...paths, ...paths.slice(0, 50), ...paths.slice(-50)]) {
      expect(remembering.match('GET', path)).toEqual(trie.match('GET', path));
    }
  });

  it('matches long paths without remembering them', () => {
    const { remembering, trie } = routersWithGatewayRoutes();
    const long = `/api/v1/events/${'x'.repeat(400)}`;
    expect(remembering.match('GET', long)).toEqual(trie.match('GET', long));
    expect(remembering.match('GET', long)).not.toBe(remembering.match('GET', long));
  });

  it('forgets what it remembered when a route is added', () => {
    const router = new RememberingRouter<string>();
    router.add('GET', '/a/:id', 'by id');
    expect(router.match('GET', '/a/me')[0].map(([handler]) => handler)).toEqual(['by id']);
    router.add('GET', '/a/me', 'me');
    expect(router.match('GET', '/a/me')[0].map(([handler]) => handler)).toEqual(['by id', 'me']);
  });

  it('gives parallel requests for the same and for different events their own params', async () => {
    const organizer = await registerAndLogin();
    const events = await Promise.all([1, 2, 3].map(() => createEvent(organizer)));
    const asked = [0, 1, 0, 2, 1, 0, 2, 2].map((n) => events[n] as TestEvent);
    const responses = await Promise.all(asked.map((event) => call(`/api/v1/events/${event.id}`)));
    const answered = await Promise.all(responses.map(async (response) => ((await response.json()) as TestEvent).id));
    expect(answered).toEqual(asked.map((event) => event.id));
  });
});
