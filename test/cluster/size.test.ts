import { describe, expect, it } from 'vitest';
import { workerCount } from '../../src/cluster/size.js';

describe('workerCount', () => {
  it('is the configured number, or one per core for "auto"', () => {
    expect(workerCount(3, 8)).toBe(3);
    expect(workerCount('auto', 8)).toBe(8);
  });
});
