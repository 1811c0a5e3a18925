import { describe, expect, it } from 'vitest';
import { cumulative, EMPTY_HISTOGRAM, LATENCY_BUCKETS, mergeHistograms, observe, quantile } from '../../src/metrics/histogram.js';

const of = (...seconds: number[]) => seconds.reduce(observe, EMPTY_HISTOGRAM);

describe('latency histograms', () => {
  it('buckets from 0.5 ms to 30 s, a bound in its own bucket, above 30 s in +Inf', () => {
    expect(LATENCY_BUCKETS[0]).toBe(0.0005);
    expect(LATENCY_BUCKETS.at(-1)).toBe(30);
    const h = of(0.0005, 0.0006, 31);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[1]).toBe(1);
    expect(h.counts.at(-1)).toBe(1);
    expect(h.count).toBe(3);
    expect(h.sum).toBeCloseTo(31.0011);
    expect(cumulative(h).at(-1)).toBe(3);
  });

  it('estimates quantiles as histogram_quantile does', () => {
    // 100 observations spread evenly inside (0.01, 0.025]: the median interpolates to the middle.
    const h = of(...Array.from({ length: 100 }, () => 0.02));
    expect(quantile(h, 0.5)).toBeCloseTo(0.0175);
    expect(quantile(h, 1)).toBeCloseTo(0.025);
    expect(quantile(of(60), 0.99)).toBe(30);
    expect(Number.isNaN(quantile(EMPTY_HISTOGRAM, 0.5))).toBe(true);
  });

  it('merges by adding', () => {
    const merged = mergeHistograms(of(0.001), of(0.001, 2));
    expect(merged).toEqual(of(0.001, 0.001, 2));
  });
});
