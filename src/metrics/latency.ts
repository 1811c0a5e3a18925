import type { ServerEvent } from '../events/server-events.js';
import { EMPTY_HISTOGRAM, mergeHistograms, quantile, type Histogram } from './histogram.js';
import { mergeNumbered, namedEntries, numberOf, NO_HISTOGRAMS, observeNumbered, type Histograms } from './named-histograms.js';
import { WINDOW_SECONDS } from './rate-window.js';

/**
 * Latencies folded from the event stream: one histogram per timed name since start (for Prometheus, which
 * computes rates and quantiles itself) and per-second histograms over the last minute (for Push3's
 * p50/p90/p99). Pure, like the rest of the reducer.
 *
 * Names: a POP3 verb in lower case (`retr`, `pass`, ...), `session`, `login_verification`, `maildrop_open`,
 * `update`.
 */
export interface LatencySecond {
  /** Whole seconds since the epoch. */
  readonly second: number;
  readonly histograms: Histograms;
}

/**
 * The newest second is kept apart from the older ones (as in rate-window.ts): an observation replaces it
 * alone, not a copy of the whole minute.
 */
export interface Latencies {
  readonly totals: Histograms;
  /** Seconds before the newest that saw an observation, oldest first, all within the last WINDOW_SECONDS. */
  readonly past: readonly LatencySecond[];
  readonly newest?: LatencySecond;
}

export const NO_LATENCIES: Latencies = { totals: NO_HISTOGRAMS, past: [] };

const SESSION = numberOf('session');
/** Names by verb and by step as the events spell them: no lower-casing per event. */
const verbNumbers = new Map<string, number>();
const stepNumbers = new Map<string, number>();

function cachedNumber(cache: Map<string, number>, key: string, name: () => string): number {
  let number = cache.get(key);
  if (number === undefined) cache.set(key, (number = numberOf(name())));
  return number;
}

type LatencyEvent = Extract<ServerEvent, { type: 'latency' }>;

/** The name a `latency` event is recorded under. */
export function timedNameOf(event: LatencyEvent): string {
  return event.operation === 'command' ? (event.verb ?? 'unknown').toLowerCase() : event.operation.replaceAll('-', '_');
}

/** The number of the name an event is recorded under (named-histograms.ts), or undefined for an event that times nothing. */
function timedNumberOf(event: ServerEvent): number | undefined {
  if (event.type === 'latency') {
    return event.operation === 'command'
      ? cachedNumber(verbNumbers, event.verb ?? 'unknown', () => timedNameOf(event))
      : cachedNumber(stepNumbers, event.operation, () => timedNameOf(event));
  }
  // A POP3 connection's close carries how long it was open: the session duration.
  if (event.type === 'connection-closed' && event.protocol === 'pop3' && event.ms !== undefined) return SESSION;
  return undefined;
}

/** The latencies with the duration `event` reports recorded, if it reports one. */
export function recordTiming(latencies: Latencies, event: ServerEvent): Latencies {
  const number = timedNumberOf(event);
  if (number === undefined) return latencies;
  const seconds = Math.max(0, (event as { readonly ms: number }).ms) / 1000;
  return recordNumbered(latencies, event.at, (histograms) => observeNumbered(histograms, number, seconds));
}

/** The latencies with a worker's tally of them (tally.ts) recorded, every observation in the second of `at`. */
export function recordHistograms(latencies: Latencies, at: number, histograms: Readonly<Record<string, Histogram>>): Latencies {
  const entries = Object.entries(histograms);
  if (entries.length === 0) return latencies;
  const add = (set: Histograms): Histograms => entries.reduce((sum, [name, histogram]) => mergeNumbered(sum, numberOf(name), histogram), set);
  return recordNumbered(latencies, at, add);
}

const secondOf = (at: number): number => Math.floor(at / 1000);

/** Drops the seconds that fell out of the window at time `now` (ms). */
export function advanceLatencies(latencies: Latencies, now: number): Latencies {
  const oldest = secondOf(now) - WINDOW_SECONDS + 1;
  const { past, newest } = latencies;
  if ((past.length === 0 || past[0]!.second >= oldest) && (newest === undefined || newest.second >= oldest)) return latencies;
  if (newest === undefined || newest.second < oldest) return { totals: latencies.totals, past: [] };
  return { totals: latencies.totals, past: past.filter((slot) => slot.second >= oldest), newest };
}

/** One observation of `name`, at time `at` (ms); an event stamped before the newest second counts in it. */
export function recordLatency(latencies: Latencies, name: string, at: number, ms: number): Latencies {
  const number = numberOf(name);
  return recordNumbered(latencies, at, (histograms) => observeNumbered(histograms, number, Math.max(0, ms) / 1000));
}

/** `add` applied to the totals and to the histograms of the second of `at` (or of the newest second, if later). */
function recordNumbered(latencies: Latencies, at: number, add: (histograms: Histograms) => Histograms): Latencies {
  const { past, newest } = latencies;
  const totals = add(latencies.totals);
  const second = Math.max(secondOf(at), newest?.second ?? Number.NEGATIVE_INFINITY);
  if (newest !== undefined && newest.second === second) {
    return { totals, past, newest: { second, histograms: add(newest.histograms) } };
  }
  const slot: LatencySecond = { second, histograms: add(NO_HISTOGRAMS) };
  return { totals, past: newest === undefined ? past : [...past, newest], newest: slot };
}

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** p50/p90/p99 in milliseconds per name seen in the last minute, names sorted. */
export function recentPercentiles(latencies: Latencies): readonly (readonly [name: string, percentiles: Percentiles])[] {
  const merged = new Map<string, Histogram>();
  const slots = latencies.newest === undefined ? latencies.past : [...latencies.past, latencies.newest];
  for (const slot of slots) {
    for (const [name, histogram] of namedEntries(slot.histograms)) {
      merged.set(name, mergeHistograms(merged.get(name) ?? EMPTY_HISTOGRAM, histogram));
    }
  }
  const ms = (histogram: Histogram, q: number): number => quantile(histogram, q) * 1000;
  return [...merged]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, histogram]) => [name, { p50: ms(histogram, 0.5), p90: ms(histogram, 0.9), p99: ms(histogram, 0.99) }] as const);
}
