/** Summary of one set of latency samples, all in milliseconds. */
export interface Summary {
  n: number;
  mean: number;
  stdev: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Percentile by linear interpolation between closest ranks (the "type 7" definition spreadsheets and
 * numpy use). With few samples p99 sits close to the maximum, so `n` travels with every summary.
 */
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  return lowValue + ((sorted[high] as number) - lowValue) * (rank - low);
};

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

export const summarize = (samples: readonly number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? Number.NaN : sorted.reduce((sum, v) => sum + v, 0) / n;
  const variance = n < 2 ? 0 : sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1);
  return {
    n,
    mean,
    stdev: Math.sqrt(variance),
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[n - 1] ?? Number.NaN,
  };
};

/** Rounds for the JSON file: sub-millisecond noise is not information. */
export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
