import type { Logger } from 'pino';
import { skip, Subject } from 'rxjs';
import type { Directory } from '../auth/directory.js';
import { loginThrottle } from '../auth/throttle.js';
import type { UserDirectory } from '../auth/users.js';
import { SETTING_KEYS, type LiveSettings } from '../config/live-settings.js';
import { createRunningConfig, type RunningConfig } from '../config/running-config.js';
import type { Config } from '../config/schema.js';
import { runLifeCycle, type Service } from '../daemon/life-cycle.js';
import { pop3Listeners } from '../daemon/listeners.js';
import { provisionMaildirs } from '../daemon/provision.js';
import { reloadCertificate } from '../daemon/tls-reload.js';
import { openUsers, userCount } from '../daemon/users.js';
import { logEvents } from '../hooks/event-log.js';
import { createEventBus } from '../events/server-events.js';
import { eventsFromSources, type SourceUpdate } from '../metrics/sources.js';
import { addressSet } from '../net/address.js';
import { connectionLimiter } from '../net/limiter.js';
import type { EditableDirectory } from '../push3/user-admin.js';
import { DaemonLimits } from './daemon-limits.js';
import { createFleet, type Fleet, type Ports } from './fleet.js';
import { LockRegistry } from './lock-registry.js';
import type { FromWorker, SettingValues } from './messages.js';
import { startMonitoring } from './monitoring.js';
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
  const running = createRunningConfig(config);
  await runLifeCycle({
    logger,
    running,
    load,
    start: () => startPrimary(running, logger),
    logsNeedsRestart: false,
    stopping: 'stopping: workers drain their sessions',
  });
}

async function startPrimary(running: RunningConfig, logger: Logger): Promise<Service> {
  const config = running.current;
  const { settings } = running;
  const size = workerCount(config.workers);
  const updates = new Subject<SourceUpdate>();
  // The primary's own directory (Push3 LOGIN and edits): its lookups are logged here and counted with the workers'.
  const directoryEvents = createEventBus();
  logEvents(directoryEvents.events$, logger);
  directoryEvents.events$.subscribe((event) => updates.next({ kind: 'events', source: PRIMARY_SOURCE, events: [event] }));
  const users = await openUsers(config, logger, directoryEvents.emit);
  const locks = new LockRegistry(config.mail.lockStaleSeconds * 1000);
  const limits = daemonLimits(running);
  // Whether a Push3 WATCH follows the events one by one: the workers then send them untallied.
  let eventsWatched = false;
  const heard = (worker: number, message: FromWorker): void => {
    const answer = limits.heard(worker, message);
    if (answer !== undefined) fleet.send(worker, answer);
    if (message.kind === 'events') updates.next({ kind: 'events', source: worker, events: message.events, tally: message.tally });
    if (message.kind === 'locked') locks.held(worker, message.lock);
    if (message.kind === 'unlocked') locks.released(worker, message.path);
  };
  const fleet = createFleet({
    size,
    scheduling: config.cluster.scheduling,
    logger,
    // Each worker plans its reloads against the config as loaded; the live settings come beside it.
    start: () => ({ kind: 'start', config: running.loaded, settings: settingValues(settings), eventsWatched }),
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
        currentConfig: () => running.current,
      })
    : undefined;
  monitoring?.eventsWatched$.pipe(skip(1)).subscribe((watched) => {
    eventsWatched = watched;
    fleet.broadcast({ kind: 'events-watched', watched });
  });

  let ports: Ports;
  try {
    ports = await fleet.start();
  } catch (error) {
    await Promise.all([fleet.stop(STOP_MARGIN_MS), monitoring?.stop(0)]);
    throw error;
  }
  return {
    // Reported once for all workers, with the port they share (port 0: the one the first of them was given).
    listeners: [...pop3Listeners(config, ports, { workers: size, scheduling: config.cluster.scheduling }), ...(monitoring?.listeners ?? [])],
    async reload(next) {
      // Each worker plans the same reload on its own running config, and logs what needs a restart.
      fleet.broadcast({ kind: 'reload', config: next });
      await reloadCertificate(monitoring?.reloadTls, logger, 'Push3');
      await users.reload();
      return { users: await userCount(users), workers: size };
    },
    afterStart: () => provisionMaildirs(config, users, logger),
    // Every worker drains (they get SIGTERM), Push3 sessions too.
    stop: (graceMs) => Promise.all([fleet.stop(graceMs + STOP_MARGIN_MS), monitoring?.stop(graceMs)]).then(() => undefined),
  };
}

/** Connection limits and login penalties for every worker together (and Push3's LOGIN here). */
function daemonLimits(running: RunningConfig): DaemonLimits {
  const { auth } = running.current;
  const trusted = addressSet(auth.trustedNetworks);
  const limiter = connectionLimiter({
    maxConnections: () => running.current.limits.maxConnections,
    maxPerAddress: () => running.current.limits.maxConnectionsPerAddress,
    exempt: (address) => trusted.has(address),
  });
  return new DaemonLimits(limiter, loginThrottle({ baseDelayMs: auth.failureDelay, maxDelayMs: auth.failureDelayMax, now: Date.now }));
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
