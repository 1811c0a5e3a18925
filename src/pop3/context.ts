import type { SchedulerLike } from 'rxjs';
import type { UserDirectory } from '../auth/users.js';
import type { MaildropStore } from '../mail/maildrop.js';
import type { ServerEvent } from '../metrics/events.js';
import type { ConnectionInfo } from '../net/connection.js';

/** What the POP3 service is given once at start: its ports and settings. */
export interface Pop3Service {
  readonly maildrops: MaildropStore;
  readonly users: UserDirectory;
  readonly scheduler: SchedulerLike;
  /** Autologout after this much silence (RFC 1939: at least 10 minutes). */
  readonly idleTimeoutMs: () => number;
  readonly hostname: string;
  readonly implementation: string;
  readonly emit: (event: ServerEvent) => void;
}

/** What one session's steps see: the service plus this connection. */
export interface SessionContext extends Pop3Service {
  readonly connection: ConnectionInfo;
  /** The APOP timestamp of this connection's greeting (RFC 1939 §7). */
  readonly timestamp: string;
}
