import { describe, expect, it } from 'vitest';
import { isoNow } from '../../../shared/clock.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function readClock(): number {
  const before = Date.now();
  const iso = isoNow();
  const after = Date.now();
  expect(iso).toMatch(ISO_8601);
  const at = Date.parse(iso);
  expect(at).toBeGreaterThanOrEqual(before);
  expect(at).toBeLessThanOrEqual(after);
  return at;
}

describe('isoNow', () => {
  it('is the current time as ISO 8601, and moves when the clock does', async () => {
    const first = readClock();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(readClock()).toBeGreaterThanOrEqual(first + 5);
  });
});
