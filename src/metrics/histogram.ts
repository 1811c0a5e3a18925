/**
 * A latency histogram as plain data: counts per bucket, the sum and the count, so it can live in the folded
 * metrics and be merged (seconds of a window, workers). Buckets are chosen for mail: a cached STAT takes well
 * under a millisecond, a login with Argon2 tens of milliseconds, a RETR of a large message to a slow reader
 * seconds.
 */

/** Upper bounds in seconds, ascending; a last, implicit bucket takes everything above (+Inf). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export interface Histogram {
  /** Observations per bucket, not cumulative; one more entry than LATENCY_BUCKETS (the +Inf bucket). */
  readonly counts: readonly number[];
  /** Seconds. */
  readonly sum: number;
  readonly count: number;
}

export const EMPTY_HISTOGRAM: Histogram = { counts: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };

/** The bucket an observation falls in (`le` semantics: a value equal to a bound is in that bound's bucket). */
function bucketOf(seconds: number): number {
  let index = 0;
  while (index < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[index]!) index += 1;
  return index;
}

/** Pure: the histogram with one more observation. */
export function observe(histogram: Histogram, seconds: number): Histogram {
  const counts = histogram.counts.slice();
  counts[bucketOf(seconds)]! += 1;
  return { counts, sum: histogram.sum + seconds, count: histogram.count + 1 };
}

export function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  return { counts: a.counts.map((n, index) => n + b.counts[index]!), sum: a.sum + b.sum, count: a.count + b.count };
}

/** Cumulative counts per bucket, as Prometheus exposes them (`le`), the +Inf bucket last. */
export function cumulative(histogram: Histogram): number[] {
  let running = 0;
  return histogram.counts.map((n) => (running += n));
}

/**
 * The q-quantile (0..1) in seconds, estimated as Prometheus's histogram_quantile does: find the bucket holding
 * the rank, interpolate linearly inside it (from 0 for the first). Ranks in the +Inf bucket answer the
 * highest finite bound. NaN for an empty histogram.
 */
export function quantile(histogram: Histogram, q: number): number {
  if (histogram.count === 0) return Number.NaN;
  const rank = q * histogram.count;
  const running = cumulative(histogram);
  const index = running.findIndex((n) => n >= rank);
  if (index >= LATENCY_BUCKETS.length) return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]!;
  const lower = index === 0 ? 0 : LATENCY_BUCKETS[index - 1]!;
  const upper = LATENCY_BUCKETS[index]!;
  const below = index === 0 ? 0 : running[index - 1]!;
  const inBucket = histogram.counts[index]!;
  return inBucket === 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
}
