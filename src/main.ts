import { hostname } from 'node:os';
import type { Server } from 'node:net';
import { pino, type Logger } from 'pino';
import { asyncScheduler } from 'rxjs';
import type { Directory } from './auth/directory.js';
import { openDirectory } from './auth/open-directory.js';
import type { UsersFileProblem } from './auth/passwd-directory.js';
import { createLiveSettings, type LiveSettings } from './config/live-settings.js';
import { planReload } from './config/reload-plan.js';
import type { Config } from './config/schema.js';
import { logEvents } from './hooks/event-log.js';
import { ensureMaildir } from './mail/ensure-maildir.js';
import { maildirFor, maildirLocator } from './mail/maildir-path.js';
import { MaildirStore } from './mail/maildir.js';
import type { MaildropStore } from './mail/maildrop.js';
import { TrackedMaildropStore } from './mail/tracked-store.js';
import { createEventBus, type EventBus } from './metrics/events.js';
import type { SharedLimits } from './cluster/shared-limits.js';
import { createMetrics } from './metrics/stream.js';
import type { LiveConnection } from './net/connection.js';
import { applyRunAs } from './net/privileges.js';
import { SessionControls } from './pop3/kick.js';
import { startPop3 } from './pop3/server.js';
import { startPush3 } from './push3/service.js';

export const IMPLEMENTATION = 'pop3d';

export interface Daemon {
  readonly pop3Port: number;
  /** Set when a TLS certificate is configured. */
  readonly pop3sPort?: number;
  /** Set when push3.enabled. */
  readonly push3Port?: number;
  /** Set when push3 and prometheus are enabled. */
  readonly prometheusPort?: number;
  readonly events: EventBus;
  /** The Push3 settings in effect here (a cluster worker's follow the primary's). */
  readonly settings: LiveSettings;
  /** Push3 KICK: ends this process's session on that connection, or its sessions of that user; how many. */
  kick(target: string): number;
  /** Re-reads the users file only (a cluster worker, after Push3 changed it in the primary). */
  reloadUsers(): Promise<void>;
  /** Stop accepting, give sessions `graceMs` to end, close the rest, release every lock. */
  stop(graceMs: number): Promise<void>;
  /**
   * SIGHUP: re-reads the users file and takes from `next` what can change live (reload-plan.ts); other
   * changes are logged as needing a restart. Resolves with the config now in effect.
   */
  reload(next: Config): Promise<Config>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.log.level, base: { service: IMPLEMENTATION } });
}

/**
 * How this process takes part. A cluster worker (cluster/worker.ts) serves POP3 only: its primary provisions
 * the Maildirs, folds every worker's events into the metrics, runs Push3 and Prometheus, and logs the POP3
 * listeners once for all.
 */
export type DaemonRole =
  | { readonly kind: 'standalone' }
  | {
      readonly kind: 'worker';
      /** Wraps the maildrop store, so that the primary learns which locks this worker holds (in which Maildir). */
      readonly maildrops: (store: MaildropStore, locate: (user: string) => Promise<string>) => MaildropStore;
      /** Connection limits and login penalties, kept by the primary for the whole daemon. */
      readonly shared: SharedLimits;
    };

/** The daemon's user directory (users.source): problems and lookups go to the log and the metrics. */
export function openUsers(config: Config, logger: Logger, emit?: EventBus['emit']): Promise<Directory> {
  const log = (problem: UsersFileProblem): void => logger.warn({ event: 'users-file-problem', ...problem }, 'users file problem');
  return openDirectory(config, { log, emit });
}

/** How many users the directory lists, for the `reloaded` line; undefined when it cannot list (no listQuery, down). */
export function userCount(users: Directory): Promise<number | undefined> {
  return users.list().then(
    (names) => names.length,
    () => undefined,
  );
}

/** Creates every listed user's missing Maildir (with the welcome message) when autocreate is on. */
export async function provisionMaildirs(config: Config, users: Directory, logger: Logger): Promise<void> {
  if (!config.mail.autocreate) return;
  let names: readonly string[];
  try {
    names = await users.list();
  } catch (error) {
    // A source without a list (no listQuery) or that is down: Maildirs are still created at login.
    return logger.warn({ event: 'maildir-provision-skipped', reason: (error as Error).message }, 'cannot list users to create their Maildirs');
  }
  for (const user of names) {
    try {
      const record = await users.lookup(user);
      if (record !== undefined && (await ensureMaildir(maildirFor(config.mail.maildir, record), config.mail.welcome))) {
        logger.info({ event: 'maildir-created', user }, 'created Maildir');
      }
    } catch (error) {
      logger.warn({ event: 'maildir-create-failed', user, err: error }, 'cannot create Maildir');
    }
  }
}

/** Wires config -> ports -> listeners. Everything the daemon does is reachable from here. */
export async function startDaemon(config: Config, logger: Logger, role: DaemonRole = { kind: 'standalone' }): Promise<Daemon> {
  const standalone = role.kind === 'standalone';
  const events = createEventBus();
  logEvents(events.events$, logger);
  // Metrics are folded from the first event on, whether or not anyone watches (Push3, Prometheus); a
  // cluster worker's are folded by its primary.
  const metrics = createMetrics(events.events$, { scheduler: asyncScheduler });
  const metricsFold = standalone ? metrics.connect() : undefined;
  const settings = createLiveSettings(config);
  const users = await openUsers(config, logger, events.emit);
  if (standalone) await provisionMaildirs(config, users, logger);
  const locate = maildirLocator(config.mail.maildir, users);
  const store = new MaildirStore({
    locate,
    staleMs: config.mail.lockStaleSeconds * 1000,
    autocreate: config.mail.autocreate,
    welcomeFile: config.mail.welcome,
    uidlFormat: config.mail.uidlFormat,
    flagUpdates: config.mail.flagUpdates,
    logger,
  });
  const maildrops = new TrackedMaildropStore(role.kind === 'worker' ? role.maildrops(store, locate) : store);
  const live = new Set<LiveConnection>();
  const controls = new SessionControls();
  /** The config in effect: replaced by reload(), so keys read per use follow it. */
  let running = config;
  // Push3's SET and SIGHUP both go through the live settings; the running config follows them, so the
  // next session's timeout and every log line obey the latest value.
  settings.values$.subscribe((tunables) => {
    running = { ...running, pop3: { ...running.pop3, idleTimeout: tunables.idleTimeoutSeconds } };
    logger.level = tunables.logLevel;
  });
  const pop3 = await startPop3(config, {
    maildrops,
    users,
    emit: events.emit,
    logger,
    hostname: hostname(),
    implementation: IMPLEMENTATION,
    announceListeners: standalone,
    live: () => running,
    maxConnections: () => settings.current.maxConnections,
    controls,
    shared: role.kind === 'worker' ? role.shared : undefined,
    onConnection: (connection) => {
      live.add(connection);
      void connection.closed.then(() => live.delete(connection));
    },
  });
  const servers: Server[] = [...pop3.servers];
  const { pop3Port, pop3sPort } = pop3;
  const push3 = standalone && config.push3.enabled
    ? await startPush3({
        config,
        emit: events.emit,
        metrics$: metrics.metrics$,
        events$: metrics.events$,
        sessions: metrics.sessions,
        kick: (target) => Promise.resolve(void controls.kick(target)),
        users,
        settings,
        admins: () => running.push3.admins,
        scheduler: asyncScheduler,
        onConnection: (connection) => {
          live.add(connection);
          void connection.closed.then(() => live.delete(connection));
        },
        security: { throttle: pop3.throttle, tls: config.push3.tls ? pop3.implicitTls : undefined },
      })
    : undefined;
  if (push3) {
    servers.push(...push3.servers);
    logger.info({ event: 'listening', protocol: 'push3', host: config.push3.host, port: push3.port }, 'Push3 listening');
    if (push3.prometheusPort !== undefined) {
      const { host } = config.prometheus;
      logger.info({ event: 'listening', protocol: 'prometheus', host, port: push3.prometheusPort }, 'Prometheus listening');
    }
  }

  // Last, once every listener is bound: a root start keeps no more rights than it needs.
  applyRunAs(config.daemon, logger);

  return {
    pop3Port,
    pop3sPort,
    push3Port: push3?.port,
    prometheusPort: push3?.prometheusPort,
    events,
    settings,
    kick: (target) => controls.kick(target),
    reloadUsers: () => users.reload(),
    async stop(graceMs) {
      // close() stops accepting at once; its callback would wait for every session, so don't await it.
      for (const server of servers) server.close();
      const allClosed = Promise.all([...live].map((connection) => connection.closed));
      const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
      if ((await Promise.race([allClosed, grace])) === 'timeout') {
        logger.info({ event: 'shutdown-closing', sessions: live.size }, 'grace period over, closing sessions');
        for (const connection of live) connection.destroy();
        await allClosed;
      }
      await maildrops.settled();
      await users.close();
      metricsFold?.unsubscribe();
    },
    async reload(next) {
      const plan = planReload(running, next);
      running = { ...plan.config, pop3: { ...plan.config.pop3, idleTimeout: settings.current.idleTimeoutSeconds } };
      // A reloaded key that Push3 can SET: the setting follows (max_connections is read from there).
      for (const [key, value] of plan.settings) settings.set(key, value);
      for (const key of plan.needsRestart) logger.warn({ event: 'reload-needs-restart', key }, `${key} changed: needs restart`);
      await pop3.reloadTls?.().then(
        () => logger.info({ event: 'tls-reloaded' }, 'TLS certificate reloaded'),
        (error: unknown) => logger.error({ event: 'tls-reload-failed', reason: (error as Error).message }, 'keeping the old TLS certificate'),
      );
      try {
        await users.reload();
        logger.info({ event: 'reloaded', applied: plan.applied, users: await userCount(users) }, 'reloaded');
      } catch (error) {
        logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'users file not reloaded; keeping the users it had');
      }
      return running;
    },
  };
}
