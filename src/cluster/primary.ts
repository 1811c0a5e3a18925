import type { Logger } from 'pino';
import { skip, Subject } from 'rxjs';
import type { Directory } from '../auth/directory.js';
import { loginThrottle } from '../auth/throttle.js';
import type { UserDirectory } from '../auth/users.js';
import { createLiveSettings, SETTING_KEYS, type LiveSettings } from '../config/live-settings.js';
import { planReload } from '../config/reload-plan.js';
import type { Config } from '../config/schema.js';
import { openUsers, provisionMaildirs, userCount } from '../main.js';
import { logEvents } from '../hooks/event-log.js';
import { createEventBus } from '../metrics/events.js';
import { eventsFromSources, type SourceUpdate } from '../metrics/sources.js';
import { addressSet } from '../net/address.js';
import { connectionLimiter } from '../net/limiter.js';
import { applyRunAs } from '../net/privileges.js';
import type { EditableDirectory } from '../push3/user-admin.js';
import { DaemonLimits } from './daemon-limits.js';
import { createFleet, type Fleet, type Ports } from './fleet.js';
import { LockRegistry } from './lock-registry.js';
import type { FromWorker, SettingValues } from './messages.js';
import { startMonitoring, type Monitoring } from './monitoring.js';
import { workerCount } from './size.js';

/** How long a Push3 user change waits for every worker to re-read the users file before it replies. */
const USERS_RELOAD_TIMEOUT_MS = 5000;
/** How long a Push3 KICK waits for every worker to have ended the sessions it names. */
const KICK_TIMEOUT_MS = 5000;
/** The primary's own events among the workers' (worker ids start at 1). */
const PRIMARY_SOURCE = 0;
/** After shutdown.graceSeconds, workers get this much longer to close their sessions before SIGKILL. */
const STOP_MARGIN_MS = 5000;

const settingValues = (settings: LiveSettings): SettingValues => SETTING_KEYS.map((key) => [key, settings.get(key) ?? '']);

/**
 * The cluster's primary (config `workers` > 1): forks the workers, which share the POP3 listeners and serve
 * every session, and keeps them at strength. It serves no POP3 itself: it runs Push3 and Prometheus over the
 * events the workers send up, frees a dead worker's maildrop locks, and passes Push3's changes and the
 * signals on. Resolves once every worker listens; rejects when one cannot start.
 */
export async function runPrimary(config: Config, logger: Logger, load: () => Config): Promise<void> {
  let running = config;
  const size = workerCount(config.workers);
  const updates = new Subject<SourceUpdate>();
  // The primary's own directory (Push3 LOGIN and edits): its lookups are logged here and counted with the workers'.
  const directoryEvents = createEventBus();
  logEvents(directoryEvents.events$, logger);
  directoryEvents.events$.subscribe((event) => updates.next({ kind: 'events', source: PRIMARY_SOURCE, events: [event] }));
  const users = await openUsers(config, logger, directoryEvents.emit);
  await provisionMaildirs(config, users, logger);
  const settings = createLiveSettings(config);
  settings.values$.subscribe((tunables) => (logger.level = tunables.logLevel));
  const locks = new LockRegistry(config.mail.lockStaleSeconds * 1000);
  const limits = daemonLimits(config, settings, () => running);
  const heard = (worker: number, message: FromWorker): void => {
    const answer = limits.heard(worker, message);
    if (answer !== undefined) fleet.send(worker, answer);
    if (message.kind === 'events') updates.next({ kind: 'events', source: worker, events: message.events });
    if (message.kind === 'locked') locks.held(worker, message.lock);
    if (message.kind === 'unlocked') locks.released(worker, message.path);
  };
  const fleet = createFleet({
    size,
    logger,
    start: () => ({ kind: 'start', config: running, settings: settingValues(settings) }),
    onMessage: heard,
    onExit: (worker) => {
      limits.gone(worker);
      updates.next({ kind: 'gone', source: worker, at: Date.now() });
      void locks.free(worker).then((paths) => {
        if (paths.length > 0) logger.info({ event: 'locks-freed', worker, paths }, "freed a dead worker's maildrop locks");
      });
    },
  });
  settings.values$.pipe(skip(1)).subscribe(() => fleet.broadcast({ kind: 'settings', settings: settingValues(settings) }));
  const monitoring = config.push3.enabled
    ? await startMonitoring({
        config,
        logger,
        workerEvents$: eventsFromSources(updates),
        users: sharedUsers(users, fleet),
        settings,
        kick: (target) => fleet.request((id) => ({ kind: 'kick', id, target }), KICK_TIMEOUT_MS),
        throttle: limits.throttle,
        live: () => running,
      })
    : undefined;

  let ports: Ports;
  try {
    ports = await fleet.start();
  } catch (error) {
    await Promise.all([fleet.stop(STOP_MARGIN_MS), monitoring?.stop(0)]);
    throw error;
  }
  // Logged once for all workers, with the port they share (port 0: the one the first of them was given).
  const stls = config.tls.cert !== undefined;
  logger.info({ event: 'listening', protocol: 'pop3', host: config.pop3.host, port: ports.pop3Port, stls, workers: size }, 'POP3 listening');
  if (ports.pop3sPort !== undefined) {
    logger.info({ event: 'listening', protocol: 'pop3s', host: config.pop3s.host, port: ports.pop3sPort, workers: size }, 'POP3S listening');
  }
  // Unprivileged from here, like the workers; the users file Push3 rewrites stays theirs to read.
  applyRunAs(config.daemon, logger);

  onStopSignals(logger, fleet, monitoring, () => running.shutdown.graceSeconds * 1000);
  let reloading = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      logger.info({ event: 'reload', signal: 'SIGHUP' }, 'reloading the config and the users file');
      let next: Config;
      try {
        next = load();
      } catch (error) {
        return logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'config not reloaded; keeping the running one');
      }
      const plan = planReload(running, next);
      running = plan.config;
      for (const [key, value] of plan.settings) settings.set(key, value);
      // Each worker plans the same reload on its own running config, and logs what needs a restart.
      fleet.broadcast({ kind: 'reload', config: next });
      await monitoring?.reloadTls?.().catch((error: unknown) =>
        logger.error({ event: 'tls-reload-failed', reason: (error as Error).message }, 'keeping the old Push3 TLS certificate'),
      );
      await users.reload().then(
        async () => logger.info({ event: 'reloaded', applied: plan.applied, users: await userCount(users), workers: size }, 'reloaded'),
        (error: unknown) => logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'users file not reloaded'),
      );
    });
  });
}

/** Connection limits and login penalties for every worker together (and Push3's LOGIN here). */
function daemonLimits(config: Config, settings: LiveSettings, live: () => Config): DaemonLimits {
  const trusted = addressSet(config.auth.trustedNetworks);
  const limiter = connectionLimiter({
    maxConnections: () => settings.current.maxConnections,
    maxPerAddress: () => live().limits.maxConnectionsPerAddress,
    exempt: (address) => trusted.has(address),
  });
  const { failureDelay, failureDelayMax } = config.auth;
  return new DaemonLimits(limiter, loginThrottle({ baseDelayMs: failureDelay, maxDelayMs: failureDelayMax, now: Date.now }));
}

/** Push3 edits the users here; every worker has re-read them (and emptied its cache) before the edit is reported done. */
function sharedUsers(users: Directory, fleet: Fleet): UserDirectory & EditableDirectory {
  return {
    authenticate: (user, password) => users.authenticate(user, password),
    plaintextSecret: (user) => users.plaintextSecret(user),
    exists: (user) => users.exists(user),
    list: () => users.list(),
    lookup: (user) => users.lookup(user),
    add: (name, password) => users.add(name, password),
    setPassword: (name, password) => users.setPassword(name, password),
    remove: (name) => users.remove(name),
    credentialStamp: (user) => users.credentialStamp(user),
    async reload() {
      await users.reload();
      await fleet.request((id) => ({ kind: 'reload-users', id }), USERS_RELOAD_TIMEOUT_MS);
    },
  };
}

/** SIGTERM/SIGINT: every worker drains (they get SIGTERM), Push3 sessions too, then exit 0. */
function onStopSignals(logger: Logger, fleet: Fleet, monitoring: Monitoring | undefined, graceMs: () => number): void {
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'stopping: workers drain their sessions');
    void Promise.all([fleet.stop(graceMs() + STOP_MARGIN_MS), monitoring?.stop(graceMs())]).then(() => {
      logger.info({ event: 'stopped' }, 'stopped');
      logger.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
