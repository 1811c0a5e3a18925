import type { Protocol, ServerEvent } from '../events/server-events.js';
import { NO_LOGIN_FAILURES, type LoginFailureFigures, type MetricsInput } from './input.js';
import { advanceLatencies, NO_LATENCIES, recordLatency, timingOf, type Latencies } from './latency.js';
import { advanceWindow, recordInWindow, type RateWindow } from './rate-window.js';

export interface ConnectionCounts {
  readonly current: number;
  readonly total: number;
}

export interface LoginCounts {
  readonly ok: number;
  readonly failed: number;
}

/** User directory lookups: those the source answered, those the cache did, failures, and the source's time. */
export interface DirectoryCounts {
  readonly lookups: number;
  readonly cacheHits: number;
  readonly failures: number;
  readonly lookupMs: number;
}

/** Everything the daemon measures, folded from the event stream by `applyEvent`. */
export interface Metrics {
  readonly startedAt: number;
  /** Latest time seen (event or clock tick, ms): uptime and rates are measured up to here. */
  readonly now: number;
  readonly connections: Readonly<Record<Protocol, ConnectionCounts>>;
  readonly logins: Readonly<Record<Protocol, LoginCounts>>;
  /** POP3 commands by upper-case verb (the dispatcher's INVALID/UNKNOWN included), only verbs seen. */
  readonly commands: Readonly<Record<string, number>>;
  readonly messagesRetrieved: number;
  readonly messagesDeleted: number;
  /** POP3 traffic only: Push3's own (WATCH) output would otherwise drown what is being monitored. */
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Error events of either protocol. */
  readonly errors: number;
  readonly timeouts: number;
  readonly locksRefused: number;
  /** Cluster workers that exited (0 without workers). */
  readonly workerExits: number;
  readonly directory: DirectoryCounts;
  /** POP3 connections and bytes (both directions) per second, over the last minute. */
  readonly window: RateWindow;
  /** Latency histograms of POP3 commands and session steps (latency.ts). */
  readonly latencies: Latencies;
  /** Failed logins per client address over the last minute, as bounded figures (login-failures.ts). */
  readonly loginFailures: LoginFailureFigures;
}

const noConnections: ConnectionCounts = { current: 0, total: 0 };
const noLogins: LoginCounts = { ok: 0, failed: 0 };

export function emptyMetrics(startedAt: number): Metrics {
  return {
    startedAt,
    now: startedAt,
    connections: { pop3: noConnections, push3: noConnections },
    logins: { pop3: noLogins, push3: noLogins },
    commands: {},
    messagesRetrieved: 0,
    messagesDeleted: 0,
    bytesSent: 0,
    bytesReceived: 0,
    errors: 0,
    timeouts: 0,
    locksRefused: 0,
    workerExits: 0,
    directory: { lookups: 0, cacheHits: 0, failures: 0, lookupMs: 0 },
    window: [],
    latencies: NO_LATENCIES,
    loginFailures: NO_LOGIN_FAILURES,
  };
}

/** Pure: the metrics after one event (or tick). Unknown event types leave the counts as they were. */
export function applyEvent(metrics: Metrics, event: MetricsInput): Metrics {
  const now = Math.max(metrics.now, event.at);
  const timed: Metrics = { ...metrics, now, window: advanceWindow(metrics.window, now), latencies: advanceLatencies(metrics.latencies, now) };
  const counted = count(timed, event);
  const timing = event.type === 'tick' || event.type === 'login-failures' ? undefined : timingOf(event);
  if (timing === undefined) return counted;
  return { ...counted, latencies: recordLatency(counted.latencies, timing.name, event.at, timing.ms) };
}

function count(m: Metrics, event: MetricsInput): Metrics {
  switch (event.type) {
    case 'connection-opened': {
      const was = m.connections[event.protocol];
      const connections = { ...m.connections, [event.protocol]: { current: was.current + 1, total: was.total + 1 } };
      const window = event.protocol === 'pop3' ? recordInWindow(m.window, event.at, { connections: 1 }) : m.window;
      return { ...m, connections, window };
    }
    case 'connection-closed': {
      const was = m.connections[event.protocol];
      // Never below zero, even if a close arrives for a connection opened before the fold started.
      const current = Math.max(0, was.current - 1);
      return { ...m, connections: { ...m.connections, [event.protocol]: { ...was, current } } };
    }
    case 'auth': {
      const was = m.logins[event.protocol];
      const logins = event.ok ? { ...was, ok: was.ok + 1 } : { ...was, failed: was.failed + 1 };
      return { ...m, logins: { ...m.logins, [event.protocol]: logins } };
    }
    case 'command':
      if (event.protocol !== 'pop3') return m;
      return { ...m, commands: { ...m.commands, [event.verb]: (m.commands[event.verb] ?? 0) + 1 } };
    case 'message-retrieved':
      return { ...m, messagesRetrieved: m.messagesRetrieved + 1 };
    case 'messages-deleted':
      return { ...m, messagesDeleted: m.messagesDeleted + event.count };
    case 'bytes': {
      if (event.protocol !== 'pop3') return m;
      const window = recordInWindow(m.window, event.at, { bytes: event.octets });
      return event.direction === 'out'
        ? { ...m, bytesSent: m.bytesSent + event.octets, window }
        : { ...m, bytesReceived: m.bytesReceived + event.octets, window };
    }
    case 'lock-refused':
      return { ...m, locksRefused: m.locksRefused + 1 };
    case 'worker-exited':
      return { ...m, workerExits: m.workerExits + 1 };
    case 'directory-lookup':
      return { ...m, directory: countLookup(m.directory, event.outcome, event.ms) };
    case 'timeout':
      return { ...m, timeouts: m.timeouts + 1 };
    case 'error':
      return { ...m, errors: m.errors + 1 };
    case 'login-failures':
      return { ...m, loginFailures: { worstAddress: event.worstAddress, addresses: event.addresses } };
    default:
      return m;
  }
}

function countLookup(was: DirectoryCounts, outcome: 'cached' | 'found' | 'unknown' | 'failed', ms: number): DirectoryCounts {
  if (outcome === 'cached') return { ...was, cacheHits: was.cacheHits + 1 };
  const failures = was.failures + (outcome === 'failed' ? 1 : 0);
  return { ...was, lookups: was.lookups + 1, failures, lookupMs: was.lookupMs + ms };
}
