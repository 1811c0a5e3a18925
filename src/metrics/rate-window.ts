/**
 * A sliding window of per-second buckets, kept in the metrics state so that rates are a pure function of
 * the event stream: events add to the bucket of their second, and time (events or clock ticks) drops the
 * buckets that fell out of the window. Only seconds that saw something have a bucket.
 */
export const WINDOW_SECONDS = 60;

export interface Bucket {
  /** Whole seconds since the epoch. */
  readonly second: number;
  readonly connections: number;
  readonly bytes: number;
}

/** Oldest first; every bucket is within the last WINDOW_SECONDS seconds of the latest time seen. */
export type RateWindow = readonly Bucket[];

export interface Rates {
  readonly connectionsPerSecond: number;
  readonly bytesPerSecond: number;
}

const secondOf = (at: number): number => Math.floor(at / 1000);

/** The window as seen at time `now` (ms): buckets older than the last WINDOW_SECONDS seconds are gone. */
export function advanceWindow(window: RateWindow, now: number): RateWindow {
  const oldest = secondOf(now) - WINDOW_SECONDS + 1;
  const first = window.findIndex((bucket) => bucket.second >= oldest);
  if (first === 0) return window;
  return first === -1 ? [] : window.slice(first);
}

/**
 * Adds to the bucket of `at`'s second. The caller advances the window first; an event stamped before the
 * newest bucket (clocks are not perfectly ordered across producers) counts in the newest bucket.
 */
export function recordInWindow(
  window: RateWindow,
  at: number,
  add: { readonly connections?: number; readonly bytes?: number },
): RateWindow {
  const last = window[window.length - 1];
  const second = Math.max(secondOf(at), last?.second ?? Number.NEGATIVE_INFINITY);
  const connections = add.connections ?? 0;
  const bytes = add.bytes ?? 0;
  // One copy of the window, not two: this runs for every byte count a busy server reports.
  const next = window.slice();
  if (last !== undefined && last.second === second) {
    next[next.length - 1] = { second, connections: last.connections + connections, bytes: last.bytes + bytes };
  } else {
    next.push({ second, connections, bytes });
  }
  return next;
}

/** Averages over the whole window (so in the first minute of uptime they ramp up from zero). */
export function ratesOf(window: RateWindow): Rates {
  let connections = 0;
  let bytes = 0;
  for (const bucket of window) {
    connections += bucket.connections;
    bytes += bucket.bytes;
  }
  return { connectionsPerSecond: connections / WINDOW_SECONDS, bytesPerSecond: bytes / WINDOW_SECONDS };
}
