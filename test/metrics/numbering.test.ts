import { describe, expect, it } from 'vitest';
import { Numbering, withEntry } from '../../src/metrics/numbering.js';

describe('numbering', () => {
  it('numbers each name once, in order of first use, and lists the names with a value', () => {
    const names = new Numbering();
    expect([names.numberOf('retr'), names.numberOf('stat'), names.numberOf('retr')]).toEqual([0, 1, 0]);
    expect(names.find('stat')).toBe(1);
    expect(names.find('quit')).toBeUndefined();
    expect(names.entries([undefined, 3])).toEqual([['stat', 3]]);
  });

  it('replaces an entry in a copy, without holes', () => {
    const before: readonly (number | undefined)[] = [1];
    const after = withEntry(before, 3, 9);
    expect(before).toEqual([1]);
    expect(after).toEqual([1, undefined, undefined, 9]);
    expect(Object.keys(after)).toHaveLength(4);
  });
});
