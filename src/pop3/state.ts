import type { Maildrop } from '../maildrop/maildrop.js';

/** RFC 1939's states as data: each phase carries exactly what is valid in it. */
/** What an AUTHORIZATION session is waiting for after a first step of authentication. */
export type Awaiting =
  | { readonly kind: 'pass'; readonly user: string }
  | { readonly kind: 'sasl-response'; readonly mechanism: string };

export interface Authorization {
  readonly phase: 'authorization';
  readonly awaiting?: Awaiting;
  /** Failed logins on this connection so far (kept across STLS); at the limit the connection is closed. */
  readonly failures: number;
}

/** The `deleted` of a transaction with no DELE yet: one shared empty set (DELE copies before adding). */
export const NONE_DELETED: ReadonlySet<number> = new Set();

export interface Transaction {
  readonly phase: 'transaction';
  readonly user: string;
  readonly maildrop: Maildrop;
  /** 0-based indexes marked by DELE; numbering never changes within a session. */
  readonly deleted: ReadonlySet<number>;
}

/**
 * QUIT accepted in TRANSACTION. Its reply commits the deletions when its turn comes, after every
 * earlier pipelined reply has been sent; if the session ends before that, nothing is deleted and the
 * maildrop is only released.
 */
export interface Update {
  readonly phase: 'update';
  readonly user: string;
  readonly maildrop: Maildrop;
}

export interface Closed {
  readonly phase: 'closed';
}

/** STLS accepted: this plaintext session is over; a fresh one starts from `failures` once TLS is up. */
export interface StartingTls {
  readonly phase: 'starting-tls';
  readonly failures: number;
}

export type SessionState = Authorization | Transaction | Update | Closed | StartingTls;
export type Phase = SessionState['phase'];
export type StateIn<P extends Phase> = Extract<SessionState, { phase: P }>;

export const initialState: Authorization = { phase: 'authorization', failures: 0 };

/** AUTHORIZATION waiting for nothing, with the connection's failure count carried along. */
export const idle = (state: Authorization): Authorization => ({ phase: 'authorization', failures: state.failures });

/** Messages not marked deleted, with their 1-based numbers. */
export function visibleMessages(state: Transaction): { number: number; uid: string; size: number }[] {
  return state.maildrop.messages.flatMap((message, index) =>
    state.deleted.has(index) ? [] : [{ number: index + 1, uid: message.uid, size: message.size }],
  );
}

export function dropListing(state: Transaction): { count: number; octets: number } {
  // One pass without allocating: STAT on a 100,000-message maildrop runs on every login.
  const { messages } = state.maildrop;
  let count = 0;
  let octets = 0;
  for (let index = 0; index < messages.length; index += 1) {
    if (state.deleted.has(index)) continue;
    count += 1;
    octets += messages[index]!.size;
  }
  return { count, octets };
}
