// Every scenario `npm run bench` knows, in the order they run by default.
// To add one: write scenarios/NAME.ts exporting a Scenario (see types.ts), then list it here.
import { events } from './events.ts';
import { gatewayHealth } from './gateway-health.ts';
import { identity } from './identity.ts';
import { passwordHash } from './password-hash.ts';
import { realtime } from './realtime.ts';
import type { Scenario } from './types.ts';

export const scenarios: Scenario[] = [gatewayHealth, passwordHash, identity, events, realtime];
