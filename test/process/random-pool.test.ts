import { describe, expect, it } from 'vitest';
import { randomOctets } from '../../src/process/random-pool.js';

describe('randomOctets', () => {
  it('gives the length asked for, across pool refills and above the pool size', () => {
    for (const octets of [1, 6, 7, 100, 4096, 5000]) {
      for (let i = 0; i < 50; i += 1) expect(randomOctets(octets)).toHaveLength(octets);
    }
  });

  it('never hands the same octets out twice: 20,000 six-octet ids (several pools) are all distinct', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i += 1) ids.add(randomOctets(6).toString('hex'));
    expect(ids.size).toBe(20_000);
  });

  it('gives octets that a later call does not overwrite', () => {
    const first = randomOctets(6);
    const copy = Buffer.from(first);
    for (let i = 0; i < 2_000; i += 1) randomOctets(6);
    expect(first.equals(copy)).toBe(true);
  });

  it('is not all zeros or one repeated octet', () => {
    const sample = randomOctets(64);
    expect(new Set(sample).size).toBeGreaterThan(8);
  });
});
