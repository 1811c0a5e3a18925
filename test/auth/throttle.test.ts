import { describe, expect, it } from 'vitest';
import { FORGET_AFTER_MS, loginThrottle, MAX_TRACKED_ADDRESSES, penaltyMs } from '../../src/auth/throttle.js';

describe('login throttle', () => {
  it('doubles from the base up to the cap; a base of 0 turns it off', () => {
    const settings = { baseDelayMs: 1000, maxDelayMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => penaltyMs(n, settings))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(penaltyMs(10_000, settings)).toBe(30_000);
    expect(penaltyMs(5, { baseDelayMs: 0, maxDelayMs: 30_000 })).toBe(0);
  });

  it('counts per address, and a success clears only that address', () => {
    const throttle = loginThrottle({ baseDelayMs: 100, maxDelayMs: 10_000, now: () => 0 });
    expect([throttle.failed('a'), throttle.failed('a'), throttle.failed('b'), throttle.failed('a')]).toEqual([100, 200, 100, 400]);
    throttle.succeeded('a');
    expect([throttle.failed('a'), throttle.failed('b')]).toEqual([100, 200]);
  });

  it('starts again from the base after a quiet period', () => {
    let now = 0;
    const throttle = loginThrottle({ baseDelayMs: 100, maxDelayMs: 10_000, now: () => now });
    throttle.failed('a');
    now += FORGET_AFTER_MS - 1;
    expect(throttle.failed('a')).toBe(200);
    now += FORGET_AFTER_MS;
    expect(throttle.failed('a')).toBe(100);
  });

  it('remembers a bounded number of addresses, forgetting the longest-quiet first', () => {
    let now = 0;
    const throttle = loginThrottle({ baseDelayMs: 100, maxDelayMs: 10_000, now: () => now++ });
    throttle.failed('first');
    throttle.failed('kept');
    throttle.failed('first'); // now the most recent
    for (let i = 0; i < MAX_TRACKED_ADDRESSES - 1; i++) throttle.failed(`filler-${i}`);
    expect(throttle.failed('first')).toBe(400);
    expect(throttle.failed('kept')).toBe(100);
  });
});
