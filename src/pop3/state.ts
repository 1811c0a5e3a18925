import type { Maildrop } from '../mail/maildrop.js';

/** RFC 1939's states as data: each phase carries exactly what is valid in it. */
/** What an AUTHORIZATION session is waiting for after a first step of authentication. */
export type Awaiting =
  | { readonly kind: 'pass'; readonly user: string }
  | { readonly kind: 'sasl-response'; readonly mechanism: string };

export interface Authorization {
  readonly phase: 'authorization';
  readonly awaiting?: Awaiting;
}

export interface Transaction {
  readonly phase: 'transaction';
  readonly user: string;
  readonly maildrop: Maildrop;
  /** 0-based indexes marked by DELE; numbering never changes within a session. */
  readonly deleted: ReadonlySet<number>;
}

/** QUIT accepted: the maildrop is being committed and owns its lock until it is done. */
export interface Update {
  readonly phase: 'update';
  readonly user: string;
}

export interface Closed {
  readonly phase: 'closed';
}

export type SessionState = Authorization | Transaction | Update | Closed;
export type Phase = SessionState['phase'];
export type StateIn<P extends Phase> = Extract<SessionState, { phase: P }>;

export const initialState: Authorization = { phase: 'authorization' };

/** Messages not marked deleted, with their 1-based numbers. */
export function visibleMessages(state: Transaction): { number: number; uid: string; size: number }[] {
  return state.maildrop.messages.flatMap((message, index) =>
    state.deleted.has(index) ? [] : [{ number: index + 1, uid: message.uid, size: message.size }],
  );
}

export function dropListing(state: Transaction): { count: number; octets: number } {
  const visible = visibleMessages(state);
  return { count: visible.length, octets: visible.reduce((sum, message) => sum + message.size, 0) };
}
