import type { Observable } from 'rxjs';
import type { InputLine } from './lines.js';

/*
 * The port between the net layer and a protocol session: the session gets lines and what it may know of
 * its connection, and returns what to write. It never sees a socket, so it runs the same in virtual time.
 */

export type Outbound = Buffer | string;

/**
 * A session's last output when it hands over to TLS (STLS, RFC 2595): once everything before it is
 * written, the net layer starts TLS on the same socket and runs `resume` over the secured lines. The
 * session itself never sees a socket, so it stays testable in virtual time.
 */
export interface StartTls {
  readonly kind: 'start-tls';
  readonly resume: SessionFactory<ServedConnection>;
}

export type SessionOutput = Outbound | StartTls;

export const isStartTls = (output: SessionOutput): output is StartTls => typeof output === 'object' && 'kind' in output;

/** What a protocol session may know of its connection. */
export interface ConnectionInfo {
  readonly id: string;
  readonly remote: string;
  /** True while the socket's buffer is full: sources of large replies pause until it drains. */
  readonly outputPaused$: Observable<boolean>;
  /** The same as a value, read at once: a reply that can go out whole checks it instead of subscribing. */
  readonly outputFull?: () => boolean;
  /**
   * Stop (true) or resume (false) reading lines: a session with a long backlog of unanswered commands
   * holds its input, so a client that pipelines without reading cannot make it queue work.
   */
  readonly holdInput?: (hold: boolean) => void;
}

/** What security decisions need as well: who the peer is and whether TLS protects the connection. */
export interface ServedConnection extends ConnectionInfo {
  /** The peer's IP address, IPv4-mapped IPv6 written as plain IPv4. */
  readonly address: string;
  readonly secure: boolean;
}

export type SessionFactory<C extends ConnectionInfo = ConnectionInfo> = (
  lines$: Observable<InputLine>,
  connection: C,
) => Observable<SessionOutput>;
