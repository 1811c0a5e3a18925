import type { Server } from 'node:net';
import type { Observable, SchedulerLike } from 'rxjs';
import type { LoginThrottle } from '../auth/throttle.js';
import type { UserDirectory } from '../auth/users.js';
import type { LiveSettings } from '../config/live-settings.js';
import type { Config } from '../config/schema.js';
import type { ServerEvent } from '../events/server-events.js';
import type { SessionTable } from '../metrics/session-table.js';
import type { Metrics } from '../metrics/reducer.js';
import { serveSocket, type OpenConnection, type TlsOptions } from '../net/connection.js';
import { boundPort, listen } from '../net/listener.js';
import { adminAuthority } from './authority.js';
import { MAX_LINE_OCTETS } from './parse.js';
import { push3Session } from './session.js';
import { directoryAdmin, type EditableDirectory } from './user-admin.js';

export interface Push3Options {
  /** Reads push3.* and prometheus.*. */
  readonly config: Config;
  readonly emit: (event: ServerEvent) => void;
  /** The daemon's one shared metrics stream (see metrics/stream.ts). */
  readonly metrics$: Observable<Metrics>;
  /** The POP3 users: Push3 logs in against them, edits them, and reloads them after each change. */
  readonly users: UserDirectory & EditableDirectory;
  readonly settings: LiveSettings;
  /**
   * Users who may log in to Push3: push3.admins as last reloaded, so that an admin dropped from it loses their
   * session. Without it, the list in `config`.
   */
  readonly admins?: () => readonly string[];
  readonly scheduler: SchedulerLike;
  /** Each accepted connection, so the daemon can drain or drop it on shutdown. */
  readonly onConnection?: (connection: OpenConnection) => void;
  /** The events the metrics are folded from, and the live sessions folded from them (see metrics/stream.ts). */
  readonly events$: Observable<ServerEvent>;
  readonly sessions: SessionTable;
  /** KICK: ends sessions wherever they run (this process, or every worker of a cluster). */
  readonly kick: (target: string) => Promise<void>;
  /** LOGIN throttling and TLS, shared with POP3 (see Push3Security at the end). */
  readonly security?: Push3Security;
}

export interface Push3Handle {
  readonly port: number;
  /** Set when prometheus.enabled. */
  readonly prometheusPort?: number;
  /** Every listener started, for the daemon to close. */
  readonly servers: Server[];
}

/** Starts the Push3 listener and, when enabled, the Prometheus endpoint beside it. */
export async function startPush3(options: Push3Options): Promise<Push3Handle> {
  const { config, emit, metrics$, users, settings, scheduler } = options;
  const session = push3Session({
    metrics$,
    users,
    authority: adminAuthority(options.admins ?? (() => config.push3.admins), users),
    userAdmin: directoryAdmin(users),
    settings,
    scheduler,
    emit,
    events$: options.events$,
    sessions: options.sessions,
    kick: options.kick,
    throttle: options.security?.throttle,
  });
  const push3 = await listen(config.push3, (socket) => {
    const tls = options.security?.tls;
    const connection = serveSocket(socket, session, { protocol: 'push3', maxLineOctets: MAX_LINE_OCTETS, emit, tls });
    options.onConnection?.(connection);
  });
  const port = boundPort(push3);
  if (!config.prometheus.enabled) return { port, servers: [push3] };
  try {
    // Loaded only where Prometheus is served (prom-client is of no use to a cluster's workers).
    const { startPrometheus } = await import('../metrics/prometheus.js');
    const prometheus = await startPrometheus(config.prometheus, metrics$, {
      sessions: () => options.sessions.list(),
      scheduler,
      token: config.prometheus.dashboardToken,
    });
    return { port, prometheusPort: boundPort(prometheus), servers: [push3, prometheus] };
  } catch (error) {
    push3.close();
    throw error;
  }
}

/** Security hooks, shared with POP3: the same LOGIN throttle, and implicit TLS when push3.tls is set. */
export interface Push3Security {
  readonly throttle: LoginThrottle;
  /** Set when push3.tls: the handshake comes first, with the certificate POP3 uses (reloaded with it). */
  readonly tls?: TlsOptions;
}
