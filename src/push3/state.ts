/** The spec's two states, and the end of the session (FINISH), as data. */
export interface Authentication {
  readonly phase: 'authentication';
}

export interface Transaction {
  readonly phase: 'transaction';
  /** The admin who logged in. */
  readonly user: string;
  /** What their powers rested on at LOGIN (see authority.ts): a command finding otherwise ends the session. */
  readonly grant: string;
  /** WATCH interval in ms while watching; the session runs the timer, the state only says so. */
  readonly watchMs?: number;
  /** Set by `WATCH n events` or `WATCH n user=<name>`: events are streamed live beside the metrics lines. */
  readonly watchEvents?: EventFilter;
}

/** Which events a WATCH streams: all of them, or those of one user's sessions. */
export type EventFilter = { readonly kind: 'all' } | { readonly kind: 'user'; readonly user: string };

export interface Closed {
  readonly phase: 'closed';
}

export type Push3State = Authentication | Transaction | Closed;
export type Phase = Push3State['phase'];
export type StateIn<P extends Phase> = Extract<Push3State, { phase: P }>;

export const initialState: Authentication = { phase: 'authentication' };

export const watchInterval = (state: Push3State): number | undefined =>
  state.phase === 'transaction' ? state.watchMs : undefined;

export const watchedEvents = (state: Push3State): EventFilter | undefined =>
  state.phase === 'transaction' ? state.watchEvents : undefined;
