import type { ServerEvent } from '../events/server-events.js';
import type { EventTally } from './tally.js';

// What the metrics fold takes in: the events, the clock, and the failed-login figures worked out beside it.

/** The failed-login figures of the last minute (login-failures.ts keeps the per-address state behind them). */
export interface LoginFailureFigures {
  /** The most failed logins from one address over the window. */
  readonly worstAddress: number;
  /** Addresses with at least one failed login over the window. */
  readonly addresses: number;
}

export const NO_LOGIN_FAILURES: LoginFailureFigures = { worstAddress: 0, addresses: 0 };

/** The passage of time, for uptime and for rates to decay when nothing happens. Never on the event bus. */
export interface ClockTick {
  readonly type: 'tick';
  readonly at: number;
}

/**
 * The latest figures of failed logins per address, worked out beside the fold (login-failures.ts keeps
 * mutable per-address state that the fold must not copy per event) and fed in whenever they change.
 */
export interface LoginFailuresUpdate extends LoginFailureFigures {
  readonly type: 'login-failures';
  readonly at: number;
}

/** A worker's events, some of them as a tally (tally.ts), as its primary folds them. */
export type ForwardedEvent = ServerEvent | EventTally;

export type MetricsInput = ForwardedEvent | ClockTick | LoginFailuresUpdate;
