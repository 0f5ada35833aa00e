let lastMs = Number.NaN;
let lastIso = '';

/**
 * The current time as an ISO 8601 string. V8's toISOString formats through snprintf (about 1 µs
 * a call in workerd, seen in profiles of /health), and the Workers clock only moves between I/O
 * events, so calls within one millisecond share one string.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastIso = new Date(now).toISOString();
    lastMs = now;
  }
  return lastIso;
}
