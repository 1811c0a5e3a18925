import { hostname } from 'node:os';
import type { Server } from 'node:net';
import type { Logger } from 'pino';
import { asyncScheduler } from 'rxjs';
import type { RunningConfig } from '../config/running-config.js';
import { logEvents } from '../hooks/event-log.js';
import { maildirLocator } from '../maildir/path.js';
import { MaildirStore } from '../maildir/store.js';
import type { MaildropStore } from '../maildrop/maildrop.js';
import { TrackedMaildropStore } from '../maildrop/tracked-store.js';
import type { SharedLimits } from '../cluster/shared-limits.js';
import { createEventBus, type EventBus } from '../events/server-events.js';
import { createMetrics } from '../metrics/stream.js';
import { SessionControls } from '../pop3/kick.js';
import { startPop3 } from '../pop3/server.js';
import { startPush3 } from '../push3/server.js';
import type { Service } from './life-cycle.js';
import { pop3Listeners, push3Listeners } from './listeners.js';
import { IMPLEMENTATION } from './logger.js';
import { OpenConnections } from './open-connections.js';
import { provisionMaildirs } from './provision.js';
import { reloadCertificate } from './tls-reload.js';
import { openUsers, userCount } from './users.js';

/** One process's POP3 daemon: its life cycle (life-cycle.ts) starts, reloads and stops it. */
export interface Daemon extends Service {
  readonly pop3Port: number;
  /** Set when a TLS certificate is configured. */
  readonly pop3sPort?: number;
  /** Set when push3.enabled. */
  readonly push3Port?: number;
  /** Set when push3 and prometheus are enabled. */
  readonly prometheusPort?: number;
  readonly events: EventBus;
  /** Push3 KICK: ends this process's session on that connection, or its sessions of that user; how many. */
  kick(target: string): number;
  /** Re-reads the users only (a cluster worker, after Push3 changed it in the primary). */
  reloadUsers(): Promise<void>;
}

/**
 * How this process takes part. A cluster worker (cluster/worker.ts) serves POP3 only: its primary provisions
 * the Maildirs, folds every worker's events into the metrics, runs Push3 and Prometheus, and reports the POP3
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

/** Wires config -> ports -> listeners. Everything the daemon does is reachable from here. */
export async function startDaemon(running: RunningConfig, logger: Logger, role: DaemonRole = { kind: 'standalone' }): Promise<Daemon> {
  const config = running.current;
  const { settings } = running;
  const standalone = role.kind === 'standalone';
  const events = createEventBus();
  logEvents(events.events$, logger);
  // Metrics are folded from the first event on, whether or not anyone watches (Push3, Prometheus); a
  // cluster worker's are folded by its primary.
  const metrics = createMetrics(events.events$, { scheduler: asyncScheduler });
  const metricsFold = standalone ? metrics.connect() : undefined;
  const users = await openUsers(config, logger, events.emit);
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
  const connections = new OpenConnections();
  const controls = new SessionControls();
  const pop3 = await startPop3(config, {
    maildrops,
    users,
    emit: events.emit,
    logger,
    hostname: hostname(),
    implementation: IMPLEMENTATION,
    currentConfig: () => running.current,
    maxConnections: () => running.current.limits.maxConnections,
    controls,
    onConnection: connections.add,
    shared: role.kind === 'worker' ? role.shared : undefined,
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
        admins: () => running.current.push3.admins,
        scheduler: asyncScheduler,
        onConnection: connections.add,
        security: { throttle: pop3.throttle, tls: config.push3.tls ? pop3.implicitTls : undefined },
      })
    : undefined;
  if (push3) servers.push(...push3.servers);

  // A cluster worker's primary reports the POP3 listeners the workers share.
  const listeners = standalone ? [...pop3Listeners(config, pop3), ...(push3 ? push3Listeners(config, push3) : [])] : [];

  return {
    pop3Port,
    pop3sPort,
    push3Port: push3?.port,
    prometheusPort: push3?.prometheusPort,
    events,
    listeners,
    kick: (target) => controls.kick(target),
    reloadUsers: () => users.reload(),
    // A cluster's primary provisions for its workers.
    afterStart: standalone ? () => provisionMaildirs(config, users, logger) : undefined,
    async stop(graceMs) {
      // close() stops accepting at once; its callback would wait for every session, so don't await it.
      for (const server of servers) server.close();
      await connections.drain(graceMs, (sessions) =>
        logger.info({ event: 'shutdown-closing', sessions }, 'grace period over, closing sessions'),
      );
      await maildrops.settled();
      await users.close();
      metricsFold?.unsubscribe();
    },
    async reload() {
      await reloadCertificate(pop3.reloadTls, logger, 'POP3S');
      await users.reload();
      return { users: await userCount(users) };
    },
  };
}
