import type { Registry } from 'prom-client';
import { cumulative, EMPTY_HISTOGRAM, LATENCY_BUCKETS, type Histogram } from './histogram.js';
import { histogramNamed, namedEntries, NO_HISTOGRAMS, type Histograms } from './named-histograms.js';
import type { Metrics } from './reducer.js';

/**
 * The latency histograms as Prometheus histograms. prom-client's own Histogram can only be observed into,
 * and ours are already folded (over every worker, in the primary), so each is published by a small collector
 * that reads the latest fold at scrape time, as the counters are.
 */

/** Latency names that are not commands, and the histogram each is published as. */
const STEP_HISTOGRAMS: readonly (readonly [name: string, metric: string, help: string])[] = [
  ['session', 'pop3d_pop3_session_duration_seconds', 'POP3 connections, from accept to close'],
  ['login_verification', 'pop3d_pop3_login_verification_duration_seconds', 'POP3 password checks against the users directory'],
  ['maildrop_open', 'pop3d_pop3_maildrop_open_duration_seconds', 'Locking and listing a maildrop at login'],
  ['update', 'pop3d_pop3_update_duration_seconds', 'UPDATE: removing the deleted messages after QUIT'],
];
const STEP_NAMES = new Set(STEP_HISTOGRAMS.map(([name]) => name));
export const COMMAND_HISTOGRAM = 'pop3d_pop3_command_duration_seconds';

/** Every histogram name the endpoint publishes (a dashboard may use these and nothing else). */
export const HISTOGRAM_NAMES: readonly string[] = [COMMAND_HISTOGRAM, ...STEP_HISTOGRAMS.map(([, metric]) => metric)];

type Labels = Readonly<Record<string, string>>;
interface Sample {
  readonly metricName: string;
  readonly labels: Labels;
  readonly value: number;
}

function samples(metric: string, labels: Labels, histogram: Histogram): Sample[] {
  const running = cumulative(histogram);
  const buckets = running.map((value, index) => ({
    metricName: `${metric}_bucket`,
    labels: { ...labels, le: index < LATENCY_BUCKETS.length ? String(LATENCY_BUCKETS[index]) : '+Inf' },
    value,
  }));
  return [...buckets, { metricName: `${metric}_sum`, labels, value: histogram.sum }, { metricName: `${metric}_count`, labels, value: histogram.count }];
}

function collector(name: string, help: string, values: (totals: Histograms) => Sample[], latest: () => Metrics | undefined) {
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () => ({ name, help, type: 'histogram', aggregator: 'sum', values: values(latest()?.latencies.totals ?? NO_HISTOGRAMS) }),
  };
}

/** Registers the latency histograms; a step histogram is published (with zero counts) before its first observation. */
export function registerHistograms(registry: Registry, latest: () => Metrics | undefined): void {
  const commands = (totals: Histograms): Sample[] =>
    namedEntries(totals)
      .filter(([name]) => !STEP_NAMES.has(name))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([verb, histogram]) => samples(COMMAND_HISTOGRAM, { verb }, histogram));
  const register = (metric: object): void => registry.registerMetric(metric as Parameters<Registry['registerMetric']>[0]);
  register(collector(COMMAND_HISTOGRAM, 'POP3 commands, from the start of their step to the end of their reply, by verb', commands, latest));
  for (const [name, metric, help] of STEP_HISTOGRAMS) {
    register(collector(metric, help, (totals) => samples(metric, {}, histogramNamed(totals, name) ?? EMPTY_HISTOGRAM), latest));
  }
}
