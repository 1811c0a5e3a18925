import { describe, expect, it } from 'vitest';
import { EMPTY_HISTOGRAM, observe } from '../../src/metrics/histogram.js';
import { histogramNamed, namedEntries, NO_HISTOGRAMS, numberOf, observeNumbered } from '../../src/metrics/named-histograms.js';

describe('histograms by name', () => {
  it('finds a histogram by name, and leaves the set it was given as it was', () => {
    const retr = numberOf('test-retr');
    const stat = numberOf('test-stat');
    const one = observeNumbered(NO_HISTOGRAMS, stat, 0.002);
    const two = observeNumbered(one, retr, 0.001);
    expect(histogramNamed(two, 'test-retr')).toEqual(observe(EMPTY_HISTOGRAM, 0.001));
    expect(histogramNamed(two, 'test-stat')).toEqual(observe(EMPTY_HISTOGRAM, 0.002));
    expect(histogramNamed(one, 'test-retr')).toBeUndefined();
    expect(histogramNamed(two, 'never-seen')).toBeUndefined();
    expect(namedEntries(two).map(([name]) => name)).toEqual(['test-retr', 'test-stat']);
    expect(NO_HISTOGRAMS).toEqual([]);
  });
});
