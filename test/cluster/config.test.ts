import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

describe('config: workers', () => {
  it('defaults to 1 (no cluster) and takes a count or "auto"', () => {
    expect(parseConfig({}).workers).toBe(1);
    expect(parseConfig({ workers: 4 }).workers).toBe(4);
    expect(parseConfig({ workers: 'auto' }).workers).toBe('auto');
  });

  it.each([0, 2.5, '2', 'all', 257])('refuses %j', (workers) => {
    expect(() => parseConfig({ workers })).toThrow(/workers/);
  });
});
