import { describe, expect, it } from 'vitest';
import { WireSizeCache } from '../../src/sizes/wire-size-cache.js';

const v = (size: number, mtimeMs = 1): { size: number; mtimeMs: number } => ({ size, mtimeMs });

describe('WireSizeCache', () => {
  it('gives a size only for the version it was measured on', () => {
    const cache = new WireSizeCache();
    cache.remember('/a', 'm', v(10), 12);
    expect(cache.has('/a', 'm')).toBe(true);
    expect(cache.lookup('/a', 'm', v(10))).toBe(12);
    expect(cache.lookup('/a', 'm', v(10, 2))).toBeUndefined();
    expect(cache.lookup('/b', 'm', v(10))).toBeUndefined();
    cache.forget('/a', 'm');
    expect(cache.has('/a', 'm')).toBe(false);
  });

  it('drops the Maildirs least recently added to first, then the oldest entries of the current one', () => {
    const cache = new WireSizeCache(4);
    cache.remember('/a', '1', v(1), 1);
    cache.remember('/b', '1', v(1), 1);
    cache.remember('/a', '2', v(1), 1);
    cache.remember('/c', '1', v(1), 1);
    cache.remember('/c', '2', v(1), 1);
    // Five entries: /b, now the least recently added to, goes.
    expect(['/a', '/b', '/c'].map((maildir) => cache.has(maildir, '1'))).toEqual([true, false, true]);
    for (const name of ['3', '4', '5']) cache.remember('/c', name, v(1), 1);
    expect(['1', '2', '3', '4', '5'].map((name) => cache.has('/c', name))).toEqual([false, true, true, true, true]);
    expect(cache.has('/a', '2')).toBe(false);
  });
});
