import { commandEntries } from './command-counts.js';
import { recentPercentiles } from './latency.js';
import { ratesOf } from './rate-window.js';
import type { Metrics } from './reducer.js';

/**
 * The published names of the metrics, shared by Push3's METRICS line and the Prometheus endpoint, so both
 * always say the same thing. Keys are stable snake_case; adding one is adding a line here.
 */
export interface MetricDefinition {
  readonly key: string;
  /** A counter only ever grows (until restart); a gauge goes up and down. */
  readonly kind: 'counter' | 'gauge';
  readonly help: string;
  /** False for Push3-only values: Prometheus computes rates itself, with rate() over the counters. */
  readonly prometheus?: false;
  read(metrics: Metrics): number;
}

const counter = (key: string, help: string, read: (m: Metrics) => number): MetricDefinition => ({
  key,
  kind: 'counter',
  help,
  read,
});
const gauge = (key: string, help: string, read: (m: Metrics) => number): MetricDefinition => ({
  key,
  kind: 'gauge',
  help,
  read,
});

export const METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  gauge('uptime_seconds', 'Seconds since the daemon started', (m) => Math.floor((m.now - m.startedAt) / 1000)),
  gauge('pop3_connections_current', 'Open POP3 connections', (m) => m.connections.pop3.current),
  counter('pop3_connections_total', 'POP3 connections accepted', (m) => m.connections.pop3.total),
  gauge('push3_connections_current', 'Open Push3 connections', (m) => m.connections.push3.current),
  counter('push3_connections_total', 'Push3 connections accepted', (m) => m.connections.push3.total),
  counter('pop3_logins_ok', 'Successful POP3 logins', (m) => m.logins.pop3.ok),
  counter('pop3_logins_failed', 'Failed POP3 logins', (m) => m.logins.pop3.failed),
  counter('push3_logins_ok', 'Successful Push3 logins', (m) => m.logins.push3.ok),
  counter('push3_logins_failed', 'Failed Push3 logins (bad credentials or not an admin)', (m) => m.logins.push3.failed),
  counter('messages_retrieved', 'Messages sent by RETR or TOP', (m) => m.messagesRetrieved),
  counter('messages_deleted', 'Messages removed at the end of POP3 sessions', (m) => m.messagesDeleted),
  counter('pop3_bytes_sent', 'Octets sent to POP3 clients', (m) => m.bytesSent),
  counter('pop3_bytes_received', 'Octets received from POP3 clients', (m) => m.bytesReceived),
  counter('errors', 'Errors reported by either protocol', (m) => m.errors),
  counter('timeouts', 'POP3 sessions closed for inactivity', (m) => m.timeouts),
  counter('locks_refused', 'POP3 logins refused because the maildrop was locked', (m) => m.locksRefused),
  {
    ...gauge('pop3_connections_per_second', 'POP3 connections per second, over the last minute', (m) => ratesOf(m.window).connectionsPerSecond),
    prometheus: false,
  },
  {
    ...gauge('pop3_bytes_per_second', 'POP3 octets in and out per second, over the last minute', (m) => ratesOf(m.window).bytesPerSecond),
    prometheus: false,
  },
  counter('pop3_commands_total', 'POP3 commands handled', (m) =>
    m.commands.reduce((sum: number, n) => sum + (n ?? 0), 0),
  ),
  counter('worker_exits', 'Cluster workers that exited and were replaced (0 without workers)', (m) => m.workerExits),
  counter('directory_lookups', 'User lookups answered by the user source (not the cache), failures included', (m) => m.directory.lookups),
  counter('directory_cache_hits', 'User lookups answered by the cache', (m) => m.directory.cacheHits),
  counter('directory_failures', 'User source calls that failed or timed out', (m) => m.directory.failures),
  // In seconds, Prometheus's base unit (promtool refuses abbreviated units in names).
  counter('directory_lookup_seconds', 'Seconds spent in user source lookups (divide by directory_lookups for the mean)', (m) =>
    Math.round(m.directory.lookupMs) / 1000,
  ),
  // Bounded stand-ins for a series per client address, which would be a series per attacker.
  gauge('login_failures_worst_address', 'Most failed logins (POP3 and Push3) from any one client address over the last minute', (m) =>
    m.loginFailures.worstAddress,
  ),
  gauge('login_failure_addresses', 'Client addresses with a failed login (POP3 or Push3) over the last minute', (m) => m.loginFailures.addresses),
];

/** POP3 commands by verb, sorted: `pop3_commands_<verb>` keys (a verb appears once it has been used). */
export function commandCounts(metrics: Metrics): readonly (readonly [verb: string, count: number])[] {
  return commandEntries(metrics.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Rates are fractional; three decimals are plenty and keep the line short. */
const show = (value: number): string => String(Math.round(value * 1000) / 1000);

/** The METRICS line's payload: `key=value` pairs separated by single spaces, in a stable order. */
export function formatMetrics(metrics: Metrics): string {
  const fixed = METRIC_DEFINITIONS.map((definition) => `${definition.key}=${show(definition.read(metrics))}`);
  const verbs = commandCounts(metrics).map(([verb, n]) => `pop3_commands_${verb.toLowerCase()}=${n}`);
  const latencies = recentPercentiles(metrics.latencies).flatMap(([name, p]) =>
    (['p50', 'p90', 'p99'] as const).map((q) => `latency_${name}_${q}_ms=${show(p[q])}`),
  );
  return [...fixed, ...verbs, ...latencies].join(' ');
}
