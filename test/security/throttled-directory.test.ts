import { describe, expect, it } from 'vitest';
import { throttledDirectory } from '../../src/auth/throttled-directory.js';
import { loginThrottle } from '../../src/auth/throttle.js';
import { MemoryUsers } from '../support/memory-ports.js';

describe('throttled directory (Push3 LOGIN)', () => {
  it('waits out the address penalty before a failure resolves; a success clears it', async () => {
    const waits: number[] = [];
    const throttle = loginThrottle({ baseDelayMs: 100, maxDelayMs: 1000, now: () => 0 });
    const users = new MemoryUsers({ root: 'toor' });
    const directory = throttledDirectory(users, throttle, '203.0.113.7', async (ms) => void waits.push(ms));
    expect(await directory.authenticate('root', 'x')).toBe(false);
    expect(await directory.authenticate('nobody', 'x')).toBe(false);
    expect(await directory.authenticate('root', 'toor')).toBe(true);
    expect(await directory.authenticate('root', 'x')).toBe(false);
    expect(waits).toEqual([100, 200, 100]);
    expect(await directory.list()).toEqual(['root']);
    expect(await directory.exists('root')).toBe(true);
    expect(await directory.plaintextSecret('root')).toBe('toor');
  });
});
