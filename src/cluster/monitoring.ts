import type { Logger } from 'pino';
import { asyncScheduler, merge, type Observable } from 'rxjs';
import type { LoginThrottle } from '../auth/throttle.js';
import type { UserDirectory } from '../auth/users.js';
import type { LiveSettings } from '../config/live-settings.js';
import type { Config } from '../config/schema.js';
import { logEvents } from '../hooks/event-log.js';
import { createEventBus } from '../events/server-events.js';
import { watched } from '../events/watched.js';
import type { ForwardedEvent } from '../metrics/input.js';
import { createMetrics } from '../metrics/stream.js';
import { push3Listeners, type Listener } from '../daemon/listeners.js';
import { OpenConnections } from '../daemon/open-connections.js';
import { startPush3 } from '../push3/server.js';
import type { EditableDirectory } from '../push3/user-admin.js';
import { configuredTls, loadTlsCredentials } from '../tls/credentials.js';

export interface MonitoringOptions {
  /** Reads push3.*, prometheus.*, auth (the LOGIN throttle) and tls (when push3.tls). */
  readonly config: Config;
  readonly logger: Logger;
  /** Every worker's events (some as tallies), folded with the primary's own (its Push3 sessions'). */
  readonly workerEvents$: Observable<ForwardedEvent>;
  readonly users: UserDirectory & EditableDirectory;
  readonly settings: LiveSettings;
  /** Push3 KICK: asks the workers, which hold the sessions. */
  readonly kick: (target: string) => Promise<void>;
  /** LOGIN penalties, shared with the workers' POP3 logins. */
  readonly throttle: LoginThrottle;
  /** The config in effect: the TLS handshake timeout follows pop3.loginTimeout, as it does for POP3S. */
  readonly currentConfig: () => Config;
}

export interface Monitoring {
  readonly listeners: readonly Listener[];
  /** Re-reads Push3's certificate (SIGHUP); rejects, keeping the old one, when unusable. Set with push3.tls. */
  readonly reloadTls: (() => Promise<void>) | undefined;
  /** Whether a Push3 WATCH follows the events one by one now, then at each change: the workers must not tally them. */
  readonly eventsWatched$: Observable<boolean>;
  /** Closes the listeners; Push3 sessions get `graceMs` to end, then are closed. */
  stop(graceMs: number): Promise<void>;
}

/**
 * Push3 and Prometheus in the cluster's primary, as a lone daemon runs them, over metrics folded from every
 * worker's events: what they show is the whole cluster.
 */
export async function startMonitoring(options: MonitoringOptions): Promise<Monitoring> {
  const { config, logger } = options;
  const own = createEventBus();
  logEvents(own.events$, logger);
  const metrics = createMetrics(merge(own.events$, options.workerEvents$), { scheduler: asyncScheduler });
  const fold = metrics.connect();
  const files = config.push3.tls ? configuredTls(config.tls) : undefined;
  const credentials = files && (await loadTlsCredentials(files));
  const sessions = new OpenConnections();
  const events = watched(metrics.events$);
  const push3 = await startPush3({
    config,
    emit: own.emit,
    metrics$: metrics.metrics$,
    events$: events.stream$,
    sessions: metrics.sessions,
    kick: options.kick,
    users: options.users,
    settings: options.settings,
    admins: () => options.currentConfig().push3.admins,
    scheduler: asyncScheduler,
    onConnection: sessions.add,
    security: {
      throttle: options.throttle,
      tls: credentials && {
        context: credentials.current,
        handshakeTimeoutMs: () => options.currentConfig().pop3.loginTimeout * 1000,
        implicit: true,
      },
    },
  });
  return {
    listeners: push3Listeners(config, push3),
    reloadTls: credentials?.reload,
    eventsWatched$: events.watched$,
    async stop(graceMs) {
      for (const server of push3.servers) server.close();
      await sessions.drain(graceMs);
      fold.unsubscribe();
    },
  };
}
