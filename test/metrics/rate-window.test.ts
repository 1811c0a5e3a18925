import { describe, expect, it } from 'vitest';
import { advanceWindow, bucketsOf, EMPTY_WINDOW, recordInWindow, type RateWindow } from '../../src/metrics/rate-window.js';

const record = (window: RateWindow, at: number, bytes: number): RateWindow => recordInWindow(advanceWindow(window, at), at, { bytes });

describe('rate window', () => {
  it('adds to the newest second, starts a new one as time moves, and drops those older than a minute', () => {
    let window = record(EMPTY_WINDOW, 1_000, 10);
    const first = window;
    window = record(window, 1_500, 5);
    // The same second: only the newest bucket is new, the older ones are shared.
    expect(window.past).toBe(first.past);
    window = record(window, 2_000, 7);
    // Stamped before the newest second: counted in it.
    window = record(window, 1_900, 1);
    expect(bucketsOf(window)).toEqual([
      { second: 1, connections: 0, bytes: 15 },
      { second: 2, connections: 0, bytes: 8 },
    ]);
    expect(bucketsOf(advanceWindow(window, 61_000))).toEqual([{ second: 2, connections: 0, bytes: 8 }]);
    expect(advanceWindow(window, 62_000)).toEqual(EMPTY_WINDOW);
    expect(bucketsOf(first)).toEqual([{ second: 1, connections: 0, bytes: 10 }]);
  });
});
