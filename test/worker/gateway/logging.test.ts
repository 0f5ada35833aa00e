import { describe, expect, it } from 'vitest';
import { loggablePath } from '../../../shared/http/edge.ts';

describe('paths in log lines', () => {
  it('hides secret-looking segments such as a private calendar feed token', () => {
    const token = 'q3V8mZ1xY0bN4kR7tW2sL9pD6fH5jG8cA1eU3iO0y_-';
    expect(loggablePath(`/api/v1/calendar/${token}.ics`)).toBe('/api/v1/calendar/[secret]');
    expect(loggablePath(`/api/v1/calendar/${token}`)).toBe('/api/v1/calendar/[secret]');
  });

  it('keeps ids and ordinary words, which logs are searched by', () => {
    const path = '/api/v1/events/0b8f7a2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b/occurrences/2026-12-01T19:00:00.000Z';
    expect(loggablePath(path)).toBe(path);
    expect(loggablePath('/health/ready')).toBe('/health/ready');
  });
});
