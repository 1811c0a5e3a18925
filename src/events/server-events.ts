import type { Observable } from 'rxjs';
import { FanOut } from './fan-out.js';

export type Protocol = 'pop3' | 'push3';

interface Base {
  /** Milliseconds since the epoch (scheduler time in tests). */
  readonly at: number;
}

/**
 * What a `latency` event timed: a POP3 command (with its verb) from the start of its step to the end of its
 * reply; the password check of a login; locking and listing a maildrop; the commit of UPDATE.
 */
export type TimedOperation = 'command' | 'login-verification' | 'maildrop-open' | 'update';

/** Everything the daemon reports happening. Metrics, logs and hooks are all derived from this stream. */
export type ServerEvent = Base &
  (
    | { readonly type: 'connection-opened'; readonly protocol: Protocol; readonly connection: string; readonly remote: string }
    | {
        readonly type: 'connection-closed';
        readonly protocol: Protocol;
        readonly connection: string;
        /** How long the connection was open (session duration), when the closer knew when it opened. */
        readonly ms?: number;
      }
    | { readonly type: 'auth'; readonly protocol: Protocol; readonly connection: string; readonly user: string; readonly ok: true }
    | {
        readonly type: 'auth';
        readonly protocol: Protocol;
        readonly connection: string;
        readonly user: string;
        readonly ok: false;
        /** The client's address without its port, when known: failed logins are counted per address. */
        readonly address?: string;
      }
    | { readonly type: 'command'; readonly protocol: Protocol; readonly connection: string; readonly verb: string; readonly ok: boolean; readonly user?: string }
    | { readonly type: 'message-retrieved'; readonly connection: string; readonly user: string; readonly octets: number }
    | { readonly type: 'messages-deleted'; readonly connection: string; readonly user: string; readonly count: number }
    /** Octets read from and written to a connection since its last `bytes` event: one event per exchange. */
    | { readonly type: 'bytes'; readonly protocol: Protocol; readonly connection: string; readonly received: number; readonly sent: number }
    | { readonly type: 'lock-refused'; readonly connection: string; readonly user: string }
    | { readonly type: 'timeout'; readonly protocol: Protocol; readonly connection: string }
    /** How long one step of a POP3 session took (see TimedOperation), in milliseconds with fractions. */
    | {
        readonly type: 'latency';
        readonly connection: string;
        readonly operation: TimedOperation;
        /** The command's verb, for a command. */
        readonly verb?: string;
        /** The user, when known (the login steps know whom they are for). */
        readonly user?: string;
        readonly ms: number;
      }
    /** A cluster worker exited (its primary starts another); reported by the primary. */
    | { readonly type: 'worker-exited'; readonly worker: number }
    /** A POP3 session ended by an administrator (Push3 KICK): no UPDATE, lock released. */
    | { readonly type: 'kicked'; readonly connection: string; readonly user?: string }
    /** A Push3 admin looked at or acted on live sessions (SESSIONS, KICK): the audit trail of who did. */
    | { readonly type: 'admin-command'; readonly connection: string; readonly user: string; readonly verb: 'SESSIONS' | 'KICK'; readonly target: string }
    | { readonly type: 'error'; readonly protocol: Protocol; readonly connection: string; readonly message: string }
    /** A Push3 admin's session ended because their powers were withdrawn (push3.admins, user removed, new password). */
    | { readonly type: 'admin-revoked'; readonly connection: string; readonly user: string }
    | {
        /** A user looked up: answered from the cache, or by the source (found, unknown, or failed), in `ms`. */
        readonly type: 'directory-lookup';
        readonly source: string;
        readonly outcome: 'cached' | 'found' | 'unknown' | 'failed';
        readonly ms: number;
      }
    | { readonly type: 'directory-failed'; readonly source: string; readonly reason: string }
    | {
        /** A run-time change made through Push3 (audit trail). Never carries a password. */
        readonly type: 'admin-change';
        readonly connection: string;
        /** The admin who made it. */
        readonly user: string;
        readonly change: 'user-added' | 'user-removed' | 'password-changed' | 'setting-changed';
        /** The user name changed, or `key=value` for a setting. */
        readonly target: string;
      }
  );

/** The one global event stream. Producers call `emit`; everything else subscribes to `events$`. */
export interface EventBus {
  readonly events$: Observable<ServerEvent>;
  emit(event: ServerEvent): void;
}

export function createEventBus(): EventBus {
  const fanOut = new FanOut<ServerEvent>();
  return { events$: fanOut.observable, emit: (event) => fanOut.next(event) };
}
