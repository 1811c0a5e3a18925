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

/**
 * Every bucket is within the last WINDOW_SECONDS seconds of the latest time seen. The newest second is kept
 * apart from the older ones: most events add to it, and then only it is replaced, not a copy of the whole
 * minute (a busy server reports bytes a few dozen times per POP3 session).
 */
export interface RateWindow {
  /** The seconds before the newest, oldest first. */
  readonly past: readonly Bucket[];
  readonly newest?: Bucket;
}

export const EMPTY_WINDOW: RateWindow = { past: [] };

export interface Rates {
  readonly connectionsPerSecond: number;
  readonly bytesPerSecond: number;
}

const secondOf = (at: number): number => Math.floor(at / 1000);

/** The window as seen at time `now` (ms): buckets older than the last WINDOW_SECONDS seconds are gone. */
export function advanceWindow(window: RateWindow, now: number): RateWindow {
  const oldest = secondOf(now) - WINDOW_SECONDS + 1;
  const { past, newest } = window;
  if ((past.length === 0 || past[0]!.second >= oldest) && (newest === undefined || newest.second >= oldest)) return window;
  if (newest === undefined || newest.second < oldest) return EMPTY_WINDOW;
  return { past: past.filter((bucket) => bucket.second >= oldest), newest };
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
  const { past, newest } = window;
  const second = Math.max(secondOf(at), newest?.second ?? Number.NEGATIVE_INFINITY);
  const connections = add.connections ?? 0;
  const bytes = add.bytes ?? 0;
  if (newest !== undefined && newest.second === second) {
    return { past, newest: { second, connections: newest.connections + connections, bytes: newest.bytes + bytes } };
  }
  return { past: newest === undefined ? past : [...past, newest], newest: { second, connections, bytes } };
}

/** The buckets, oldest first. */
export function bucketsOf(window: RateWindow): readonly Bucket[] {
  return window.newest === undefined ? window.past : [...window.past, window.newest];
}

/** Averages over the whole window (so in the first minute of uptime they ramp up from zero). */
export function ratesOf(window: RateWindow): Rates {
  let connections = 0;
  let bytes = 0;
  for (const bucket of bucketsOf(window)) {
    connections += bucket.connections;
    bytes += bucket.bytes;
  }
  return { connectionsPerSecond: connections / WINDOW_SECONDS, bytesPerSecond: bytes / WINDOW_SECONDS };
}
