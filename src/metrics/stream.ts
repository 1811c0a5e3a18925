import {
  connectable,
  defer,
  filter,
  interval,
  map,
  merge,
  scan,
  startWith,
  tap,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { ServerEvent } from '../events/server-events.js';
import { latestSubject } from './latest-subject.js';
import { SessionTable } from './session-table.js';
import { LoginFailureWindow, withLoginFailures } from './login-failures.js';
import type { ClockTick, ForwardedEvent, MetricsInput } from './input.js';
import { applyEvent, emptyMetrics, type Metrics } from './reducer.js';

export interface MetricsFeed {
  /** The latest metrics, replayed to every new subscriber, then each change. One fold however many watch. */
  readonly metrics$: Observable<Metrics>;
  /** The events folded (for live watching), tallies left out; hot: only what happens after subscribing. */
  readonly events$: Observable<ServerEvent>;
  /** The live POP3 sessions, folded from the same events. */
  readonly sessions: SessionTable;
  /** Starts the folds. The daemon connects at start, so no event is missed while nobody watches. */
  connect(): Subscription;
}

export interface MetricsOptions {
  /** Clock for the start time and the ticks (a TestScheduler in tests). */
  readonly scheduler: SchedulerLike;
  /** How often time advances without events, so uptime moves and rates decay. */
  readonly tickMs?: number;
}

/**
 * Metrics folded from the event stream with `scan`, multicast through a subject that replays the latest
 * value (latest-subject.ts): the fold holds the only subscription to `events$`; watchers subscribe to the
 * subject and leave without touching the fold.
 * (Equivalent to shareReplay({ bufferSize: 1, refCount: false }) plus an explicit connect and disconnect.)
 */
export function createMetrics(events$: Observable<ForwardedEvent>, options: MetricsOptions): MetricsFeed {
  const { scheduler, tickMs = 1000 } = options;
  const sessions = new SessionTable();
  const folded$ = defer(() => {
    const initial = emptyMetrics(scheduler.now());
    const ticks$ = interval(tickMs, scheduler).pipe(map((): ClockTick => ({ type: 'tick', at: scheduler.now() })));
    // The session table follows the same single subscription to the events as the fold.
    const followed$ = events$.pipe(tap((event) => sessions.apply(event)));
    const failures = new LoginFailureWindow();
    // One value per input, whether or not the failure figures changed with it.
    const inputs$ = merge<MetricsInput[]>(followed$, ticks$).pipe(map((input) => withLoginFailures(failures, input)));
    const folded = (metrics: Metrics, inputs: readonly MetricsInput[]): Metrics => inputs.reduce(applyEvent, metrics);
    return inputs$.pipe(scan(folded, initial), startWith(initial));
  });
  const shared$ = connectable(folded$, { connector: () => latestSubject<Metrics>(), resetOnDisconnect: false });
  const watchable$ = events$.pipe(filter((event): event is ServerEvent => event.type !== 'tally'));
  return { metrics$: shared$, events$: watchable$, sessions, connect: () => shared$.connect() };
}
