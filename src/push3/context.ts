import type { Observable, SchedulerLike } from 'rxjs';
import type { UserDirectory } from '../auth/users.js';
import type { LiveSettings } from '../config/live-settings.js';
import type { ServerEvent } from '../events/server-events.js';
import type { SessionTable } from '../metrics/session-table.js';
import type { Metrics } from '../metrics/reducer.js';
import type { LoginThrottle } from '../auth/throttle.js';
import type { ConnectionInfo, ServedConnection } from '../net/connection.js';
import { reportError as reportFailure } from '../session/dispatch.js';
import type { Authority } from './authority.js';
import type { UserAdmin } from './user-admin.js';

/** What the Push3 server is given once at start: its ports and settings. */
export interface Push3Service {
  /** The shared, replaying metrics stream: METRICS takes its latest value, WATCH samples it. */
  readonly metrics$: Observable<Metrics>;
  /** The POP3 users: LOGIN checks credentials here, then admin rights below. */
  readonly users: UserDirectory;
  /** Whether, and on what grounds, a user has admin powers now: checked at LOGIN and before every command. */
  readonly authority: Authority;
  readonly userAdmin: UserAdmin;
  readonly settings: LiveSettings;
  readonly scheduler: SchedulerLike;
  readonly emit: (event: ServerEvent) => void;
  /** The events the metrics are folded from, as they happen (WATCH with a filter). */
  readonly events$: Observable<ServerEvent>;
  /** The live POP3 sessions (of every worker in a cluster). */
  readonly sessions: Pick<SessionTable, 'list' | 'matching'>;
  /** Ends the session on that connection, or every session of that user, wherever it runs. */
  readonly kick: (target: string) => Promise<void>;
  /** LOGIN failures from one address are paced (shared with POP3); none without it. */
  readonly throttle?: LoginThrottle;
}

/** A Push3 connection; LOGIN is paced by the peer's address when the net layer knows it. */
export type Push3Connection = ConnectionInfo & Partial<Pick<ServedConnection, 'address'>>;

/** What one session's steps see: the service plus this connection. */
export interface Push3Context extends Push3Service {
  readonly connection: Push3Connection;
}

/** An unexpected failure becomes an error event (the log and the `errors` metric), never a broken session. */
export const reportError = (context: Push3Context, error: unknown): void => reportFailure(context, 'push3', error);
