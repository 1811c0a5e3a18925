import { Subject, type Observable } from 'rxjs';

export type Protocol = 'pop3' | 'push3';

interface Base {
  /** Milliseconds since the epoch (scheduler time in tests). */
  readonly at: number;
}

/** Everything the daemon reports happening. Metrics, logs and hooks are all derived from this stream. */
export type ServerEvent = Base &
  (
    | { readonly type: 'connection-opened'; readonly protocol: Protocol; readonly connection: string; readonly remote: string }
    | { readonly type: 'connection-closed'; readonly protocol: Protocol; readonly connection: string }
    | { readonly type: 'auth'; readonly protocol: Protocol; readonly connection: string; readonly user: string; readonly ok: boolean }
    | { readonly type: 'command'; readonly protocol: Protocol; readonly connection: string; readonly verb: string; readonly ok: boolean; readonly user?: string }
    | { readonly type: 'message-retrieved'; readonly connection: string; readonly user: string; readonly octets: number }
    | { readonly type: 'messages-deleted'; readonly connection: string; readonly user: string; readonly count: number }
    | { readonly type: 'bytes'; readonly protocol: Protocol; readonly connection: string; readonly direction: 'in' | 'out'; readonly octets: number }
    | { readonly type: 'lock-refused'; readonly connection: string; readonly user: string }
    | { readonly type: 'timeout'; readonly protocol: Protocol; readonly connection: string }
    | { readonly type: 'error'; readonly protocol: Protocol; readonly connection: string; readonly message: string }
    /** A Push3 admin's session ended because their powers were withdrawn (push3.admins, user removed, new password). */
    | { readonly type: 'admin-revoked'; readonly connection: string; readonly user: string }
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
  const subject = new Subject<ServerEvent>();
  return { events$: subject.asObservable(), emit: (event) => subject.next(event) };
}
