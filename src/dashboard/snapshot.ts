import { interval, map, startWith, withLatestFrom, type Observable, type SchedulerLike } from 'rxjs';
import { recentPercentiles } from '../metrics/latency.js';
import type { SessionRow } from '../metrics/session-table.js';
import type { Metrics } from '../metrics/reducer.js';

/**
 * What the dashboard page draws, once a second: totals (the page charts their differences), gauges, the
 * p99 of each command over the last minute and the live sessions. Pure: one value of the metrics stream
 * and the session table in, one JSON-ready object out.
 */
export interface DashboardSnapshot {
  /** ms since the epoch, on the metrics' clock. */
  readonly at: number;
  readonly connections: number;
  readonly loginsOk: number;
  readonly loginsFailed: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /**
   * Milliseconds, by command verb and login step (`retr`, `stat`, `maildrop_open`, ...), over the last minute.
   * Session durations are left out: minutes long, they would flatten every other line of the chart.
   */
  readonly p99: Readonly<Record<string, number>>;
  /** The oldest MAX_SESSIONS_SHOWN live sessions; `sessionCount` says how many there are. */
  readonly sessions: readonly SessionRow[];
  readonly sessionCount: number;
}

/** A snapshot a second per viewer: ten thousand idle sessions must not make each one megabytes. */
export const MAX_SESSIONS_SHOWN = 500;

export function dashboardSnapshot(metrics: Metrics, sessions: readonly SessionRow[]): DashboardSnapshot {
  return {
    at: metrics.now,
    connections: metrics.connections.pop3.current,
    loginsOk: metrics.logins.pop3.ok,
    loginsFailed: metrics.logins.pop3.failed,
    bytesSent: metrics.bytesSent,
    bytesReceived: metrics.bytesReceived,
    p99: Object.fromEntries(
      recentPercentiles(metrics.latencies)
        .filter(([name]) => name !== 'session')
        .map(([name, p]) => [name, Math.round(p.p99 * 1000) / 1000]),
    ),
    sessions: sessions.slice(0, MAX_SESSIONS_SHOWN),
    sessionCount: sessions.length,
  };
}

/** One Server-Sent Events message (`event: snapshot`); JSON has no line breaks, so one `data:` line. */
export const sseMessage = (snapshot: DashboardSnapshot): string => `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;

/**
 * The `/events` stream: a snapshot at once, then one every `everyMs`, sampled from the shared metrics stream
 * (the fold is not run again per viewer) with the session table as it is at that moment.
 */
export function dashboardEvents(
  metrics$: Observable<Metrics>,
  sessions: () => readonly SessionRow[],
  scheduler: SchedulerLike,
  everyMs = 1000,
): Observable<string> {
  return interval(everyMs, scheduler).pipe(
    startWith(-1),
    withLatestFrom(metrics$),
    map(([, metrics]) => sseMessage(dashboardSnapshot(metrics, sessions()))),
  );
}
