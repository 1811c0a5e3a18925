import type { SchedulerLike } from 'rxjs';
import type { LoginThrottle } from '../auth/throttle.js';
import type { UserDirectory } from '../auth/users.js';
import type { MaildropStore } from '../maildrop/maildrop.js';
import type { ServerEvent } from '../events/server-events.js';
import type { ServedConnection } from '../net/connection.js';
import type { SessionControls } from './kick.js';

/** What the POP3 service is given once at start: its ports and settings. */
export interface Pop3Service {
  readonly maildrops: MaildropStore;
  readonly users: UserDirectory;
  readonly scheduler: SchedulerLike;
  /** Autologout after this much silence (RFC 1939: at least 10 minutes). */
  readonly idleTimeoutMs: () => number;
  /** Silence allowed before login: far shorter, so idle unauthenticated connections cannot pile up. */
  readonly loginTimeoutMs: () => number;
  readonly hostname: string;
  readonly implementation: string;
  readonly emit: (event: ServerEvent) => void;
  /** A certificate is configured: STLS is offered on plaintext connections. */
  readonly startTls: boolean;
  /** Whether passwords may be sent in the clear here (USER/PASS, SASL PLAIN): TLS, trusted network, or config. */
  readonly plaintextAuthAllowed: (connection: ServedConnection) => boolean;
  readonly throttle: LoginThrottle;
  /** Failed logins one connection may make; the last one closes it. */
  readonly maxFailuresPerConnection: number;
  /** Where sessions can be reached from outside (Push3 KICK). */
  readonly controls: SessionControls;
  /** A precise clock (ms, fractions allowed) for latencies; the scheduler's clock in virtual-time tests. */
  readonly stopwatch: () => number;
}

/** What one session's steps see: the service plus this connection. */
export interface SessionContext extends Pop3Service {
  readonly connection: ServedConnection;
  /** The APOP timestamp of this connection's greeting (RFC 1939 §7). */
  readonly timestamp: string;
  /** plaintextAuthAllowed for this connection, decided once. */
  readonly plaintextAuth: boolean;
}
