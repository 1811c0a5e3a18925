import type { Protocol, ServerEvent } from '../events/server-events.js';
import { countCommand, NO_COMMANDS, type CommandCounts } from './command-counts.js';
import { NO_LOGIN_FAILURES, type LoginFailureFigures, type MetricsInput } from './input.js';
import { advanceLatencies, NO_LATENCIES, recordHistograms, recordTiming, type Latencies } from './latency.js';
import type { EventTally } from './tally.js';
import { advanceWindow, EMPTY_WINDOW, recordInWindow, type RateWindow } from './rate-window.js';

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
  /** POP3 commands by upper-case verb (the dispatcher's INVALID/UNKNOWN included), only verbs seen (command-counts.ts). */
  readonly commands: CommandCounts;
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
    commands: NO_COMMANDS,
    messagesRetrieved: 0,
    messagesDeleted: 0,
    bytesSent: 0,
    bytesReceived: 0,
    errors: 0,
    timeouts: 0,
    locksRefused: 0,
    workerExits: 0,
    directory: { lookups: 0, cacheHits: 0, failures: 0, lookupMs: 0 },
    window: EMPTY_WINDOW,
    latencies: NO_LATENCIES,
    loginFailures: NO_LOGIN_FAILURES,
  };
}

/** Metrics being built by `applyEvent`: a fresh copy, filled in before anyone else can see it. */
type Draft = { -readonly [K in keyof Metrics]: Metrics[K] };

/**
 * Every field named rather than spread: V8 builds a spread copy of an object this size several times slower,
 * and the type still requires each field, so a new one cannot be forgotten here.
 */
const copyOf = (m: Metrics): Draft => ({
  startedAt: m.startedAt,
  now: m.now,
  connections: m.connections,
  logins: m.logins,
  commands: m.commands,
  messagesRetrieved: m.messagesRetrieved,
  messagesDeleted: m.messagesDeleted,
  bytesSent: m.bytesSent,
  bytesReceived: m.bytesReceived,
  errors: m.errors,
  timeouts: m.timeouts,
  locksRefused: m.locksRefused,
  workerExits: m.workerExits,
  directory: m.directory,
  window: m.window,
  latencies: m.latencies,
  loginFailures: m.loginFailures,
});

/**
 * Pure: the metrics after one event (or tick). Unknown event types leave the counts as they were. One new
 * Metrics per event, however many figures the event moves: a busy server folds a few hundred thousand a minute.
 */
export function applyEvent(metrics: Metrics, event: MetricsInput): Metrics {
  const next = copyOf(metrics);
  next.now = Math.max(metrics.now, event.at);
  next.window = advanceWindow(metrics.window, next.now);
  next.latencies = advanceLatencies(metrics.latencies, next.now);
  if (event.type === 'tally') {
    countTally(next, event);
    return next;
  }
  count(next, event);
  if (event.type !== 'tick' && event.type !== 'login-failures') next.latencies = recordTiming(next.latencies, event);
  return next;
}

/** Moves the figures `event` counts in `m`, a draft of the next metrics (already advanced to the event's time). */
function count(m: Draft, event: Exclude<MetricsInput, EventTally>): void {
  switch (event.type) {
    case 'connection-opened': {
      const was = m.connections[event.protocol];
      m.connections = { ...m.connections, [event.protocol]: { current: was.current + 1, total: was.total + 1 } };
      if (event.protocol === 'pop3') m.window = recordInWindow(m.window, event.at, { connections: 1 });
      return;
    }
    case 'connection-closed': {
      const was = m.connections[event.protocol];
      // Never below zero, even if a close arrives for a connection opened before the fold started.
      const current = Math.max(0, was.current - 1);
      m.connections = { ...m.connections, [event.protocol]: { ...was, current } };
      return;
    }
    case 'auth': {
      const was = m.logins[event.protocol];
      const logins = event.ok ? { ...was, ok: was.ok + 1 } : { ...was, failed: was.failed + 1 };
      m.logins = { ...m.logins, [event.protocol]: logins };
      return;
    }
    case 'command':
      if (event.protocol === 'pop3') {
        m.commands = countCommand(m.commands, event.verb);
      }
      return;
    case 'message-retrieved':
      m.messagesRetrieved += 1;
      return;
    case 'messages-deleted':
      m.messagesDeleted += event.count;
      return;
    case 'bytes':
      if (event.protocol !== 'pop3') return;
      m.window = recordInWindow(m.window, event.at, { bytes: event.received + event.sent });
      m.bytesSent += event.sent;
      m.bytesReceived += event.received;
      return;
    case 'lock-refused':
      m.locksRefused += 1;
      return;
    case 'worker-exited':
      m.workerExits += 1;
      return;
    case 'directory-lookup':
      m.directory = countLookup(m.directory, event.outcome, event.ms);
      return;
    case 'timeout':
      m.timeouts += 1;
      return;
    case 'error':
      m.errors += 1;
      return;
    case 'login-failures':
      m.loginFailures = { worstAddress: event.worstAddress, addresses: event.addresses };
      return;
    default:
      return;
  }
}

/** Moves the figures as the events `tally` stands for would have (tally.ts). */
function countTally(m: Draft, tally: EventTally): void {
  for (const [verb, times] of Object.entries(tally.commands)) m.commands = countCommand(m.commands, verb, times);
  m.messagesRetrieved += tally.retrieved;
  m.latencies = recordHistograms(m.latencies, tally.at, tally.latencies);
}

function countLookup(was: DirectoryCounts, outcome: 'cached' | 'found' | 'unknown' | 'failed', ms: number): DirectoryCounts {
  if (outcome === 'cached') return { ...was, cacheHits: was.cacheHits + 1 };
  const failures = was.failures + (outcome === 'failed' ? 1 : 0);
  return { ...was, lookups: was.lookups + 1, failures, lookupMs: was.lookupMs + ms };
}
