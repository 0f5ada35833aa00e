// Small statistics and formatting helpers for the report.

/** The q-quantile (0..1) of an ascending array, by linear interpolation; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

// mulberry32: a small seeded generator, so a resampling gives the same answer for the same data.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Where the median of `values` would likely land on another run of as many rounds: the 5th and
 * 95th percentiles of the medians of resamples drawn with replacement (a bootstrap). Seeded by
 * the data's size, so the same values always give the same range; NaNs when there are none.
 */
export function medianRange(values: readonly number[], resamples = 2_000): [low: number, high: number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const random = seededRandom(values.length);
  const medians: number[] = [];
  const sample = new Array<number>(values.length);
  for (let i = 0; i < resamples; i++) {
    for (let j = 0; j < values.length; j++) sample[j] = values[Math.floor(random() * values.length)] as number;
    medians.push(median(sample));
  }
  medians.sort((a, b) => a - b);
  return [percentile(medians, 0.05), percentile(medians, 0.95)];
}

/** Fixed decimals; "-" for NaN/undefined. */
export function fmt(value: number | undefined, decimals = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value.toFixed(decimals);
}

/** Renders rows as left-aligned text columns (first row is the header), each line indented. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}
