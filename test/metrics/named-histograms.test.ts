import { describe, expect, it } from 'vitest';
import { EMPTY_HISTOGRAM, observe } from '../../src/metrics/histogram.js';
import { histogramNamed, namedEntries, NO_HISTOGRAMS, numberOf, observeNumbered } from '../../src/metrics/named-histograms.js';

describe('histograms by name', () => {
  it('numbers each name once, and finds its histogram by name', () => {
    const retr = numberOf('test-retr');
    expect(numberOf('test-retr')).toBe(retr);
    const stat = numberOf('test-stat');
    expect(stat).not.toBe(retr);
    const set = observeNumbered(observeNumbered(NO_HISTOGRAMS, stat, 0.002), retr, 0.001);
    expect(histogramNamed(set, 'test-retr')).toEqual(observe(EMPTY_HISTOGRAM, 0.001));
    expect(histogramNamed(set, 'test-stat')).toEqual(observe(EMPTY_HISTOGRAM, 0.002));
    expect(histogramNamed(set, 'never-seen')).toBeUndefined();
    expect(namedEntries(set).map(([name]) => name)).toEqual(['test-retr', 'test-stat']);
  });

  it('leaves the set it was given as it was, and has no holes', () => {
    const late = numberOf('test-late');
    const set = observeNumbered(NO_HISTOGRAMS, late, 0.001);
    expect(NO_HISTOGRAMS).toEqual([]);
    expect(set).toHaveLength(late + 1);
    expect(Object.keys(set)).toHaveLength(late + 1);
    const again = observeNumbered(set, late, 0.001);
    expect(set[late]!.count).toBe(1);
    expect(again[late]!.count).toBe(2);
  });
});
