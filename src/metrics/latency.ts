import type { ServerEvent } from '../events/server-events.js';
import { EMPTY_HISTOGRAM, mergeHistograms, observe, quantile, type Histogram } from './histogram.js';
import { WINDOW_SECONDS } from './rate-window.js';

/**
 * Latencies folded from the event stream: one histogram per timed name since start (for Prometheus, which
 * computes rates and quantiles itself) and per-second histograms over the last minute (for Push3's
 * p50/p90/p99). Pure, like the rest of the reducer.
 *
 * Names: a POP3 verb in lower case (`retr`, `pass`, ...), `session`, `login_verification`, `maildrop_open`,
 * `update`.
 */
export type Histograms = Readonly<Record<string, Histogram>>;

export interface LatencySecond {
  /** Whole seconds since the epoch. */
  readonly second: number;
  readonly histograms: Histograms;
}

export interface Latencies {
  readonly totals: Histograms;
  /** Oldest first, only seconds that saw an observation, all within the last WINDOW_SECONDS. */
  readonly recent: readonly LatencySecond[];
}

export const NO_LATENCIES: Latencies = { totals: {}, recent: [] };

/** The name and duration an event is recorded under, or undefined for an event that times nothing. */
export function timingOf(event: ServerEvent): { readonly name: string; readonly ms: number } | undefined {
  if (event.type === 'latency') {
    const name = event.operation === 'command' ? (event.verb ?? 'unknown').toLowerCase() : event.operation.replaceAll('-', '_');
    return { name, ms: event.ms };
  }
  // A POP3 connection's close carries how long it was open: the session duration.
  if (event.type === 'connection-closed' && event.protocol === 'pop3' && event.ms !== undefined) return { name: 'session', ms: event.ms };
  return undefined;
}

const secondOf = (at: number): number => Math.floor(at / 1000);

/** Drops the seconds that fell out of the window at time `now` (ms). */
export function advanceLatencies(latencies: Latencies, now: number): Latencies {
  const oldest = secondOf(now) - WINDOW_SECONDS + 1;
  const { recent } = latencies;
  if (recent.length === 0 || recent[0]!.second >= oldest) return latencies;
  return { ...latencies, recent: recent.filter((slot) => slot.second >= oldest) };
}

/** A copy and then a set: V8 builds `{ ...histograms, [name]: h }` (a spread with a computed key) several times slower. */
function add(histograms: Histograms, name: string, seconds: number): Histograms {
  const next: Record<string, Histogram> = Object.assign({}, histograms);
  next[name] = observe(histograms[name] ?? EMPTY_HISTOGRAM, seconds);
  return next;
}

/** One observation of `name`, at time `at` (ms); an event stamped before the newest second counts in it. */
export function recordLatency(latencies: Latencies, name: string, at: number, ms: number): Latencies {
  const seconds = Math.max(0, ms) / 1000;
  const { recent } = latencies;
  const last = recent[recent.length - 1];
  const second = Math.max(secondOf(at), last?.second ?? Number.NEGATIVE_INFINITY);
  const sameSecond = last !== undefined && last.second === second;
  const slot: LatencySecond = { second, histograms: add(sameSecond ? last.histograms : {}, name, seconds) };
  // One copy of the window, not two.
  const next = recent.slice();
  if (sameSecond) next[next.length - 1] = slot;
  else next.push(slot);
  return { totals: add(latencies.totals, name, seconds), recent: next };
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** p50/p90/p99 in milliseconds per name seen in the last minute, names sorted. */
export function recentPercentiles(latencies: Latencies): readonly (readonly [name: string, percentiles: Percentiles])[] {
  const merged = new Map<string, Histogram>();
  for (const slot of latencies.recent) {
    for (const [name, histogram] of Object.entries(slot.histograms)) {
      merged.set(name, mergeHistograms(merged.get(name) ?? EMPTY_HISTOGRAM, histogram));
    }
  }
  const ms = (histogram: Histogram, q: number): number => quantile(histogram, q) * 1000;
  return [...merged]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, histogram]) => [name, { p50: ms(histogram, 0.5), p90: ms(histogram, 0.9), p99: ms(histogram, 0.99) }] as const);
}
