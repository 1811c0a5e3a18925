import type { Logger } from 'pino';
import type { ReloadPlan } from '../config/reload-plan.js';
import type { RunningConfig } from '../config/running-config.js';
import type { Config } from '../config/schema.js';
import { applyRunAs } from '../process/privileges.js';
import { reportListening, type Listener } from './listeners.js';

/** What a process runs between start and exit: a lone daemon, a cluster's primary or one of its workers. */
export interface Service {
  /** Reported once started; empty in a cluster worker, whose primary reports the listeners they share. */
  readonly listeners: readonly Listener[];
  /**
   * A reload's own part, once the running config has taken the new one (TLS certificates, the users file,
   * passing it on). Resolves with the fields of the `reloaded` line; rejects when the users file cannot be read.
   */
  reload(next: Config, plan: ReloadPlan): Promise<Readonly<Record<string, unknown>>>;
  /** Stop accepting, give sessions `graceMs` to end, close the rest. */
  stop(graceMs: number): Promise<void>;
  /**
   * Work that must not run as root: called once the process runs as `daemon.user` (the Maildirs made at start
   * belong to it, not to root, so its sessions can open them).
   */
  afterStart?(): Promise<void>;
}

export interface LifeCycleOptions<S extends Service> {
  readonly logger: Logger;
  readonly running: RunningConfig;
  readonly start: () => Promise<S>;
  /** Re-reads the config (file, environment, flags) on SIGHUP; without it SIGHUP is ignored (a cluster worker's reloads come from its primary). */
  readonly load?: () => Config;
  /** False in a cluster's primary: each worker logs the keys a reload cannot change live, after applying the rest. */
  readonly logsNeedsRestart?: boolean;
  /** The `shutdown` line: what stopping means here. */
  readonly stopping: string;
}

/** A started process: its service, and the reload a cluster worker is told to do by its primary. */
export interface Started<S extends Service> {
  readonly service: S;
  reload(next: Config): Promise<void>;
}

/**
 * The one life cycle. The log level follows the running config. The signal handlers are installed in the
 * same tick as the start begins, so no signal finds Node's default action and one during start-up waits
 * for it. Once started: the `listening` lines, then the run-as user (every listener is bound by then).
 * SIGHUP reloads one at a time; SIGTERM/SIGINT drain for shutdown.graceSeconds, then the process exits.
 * Resolves once started; rejects when the start fails.
 */
export async function runLifeCycle<S extends Service>(options: LifeCycleOptions<S>): Promise<Started<S>> {
  const { logger, running, load } = options;
  running.config$.subscribe((effective) => (logger.level = effective.log.level));
  const started = options.start();

  const reload = async (next: Config): Promise<void> => {
    const service = await started;
    const plan = running.reload(next);
    const needsRestart = options.logsNeedsRestart === false ? [] : plan.needsRestart;
    for (const key of needsRestart) logger.warn({ event: 'reload-needs-restart', key }, `${key} changed: needs restart`);
    try {
      const fields = await service.reload(next, plan);
      logger.info({ event: 'reloaded', applied: plan.applied, ...fields }, 'reloaded');
    } catch (error) {
      logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'users file not reloaded; keeping the users it had');
    }
  };

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, options.stopping);
    started
      .then((service) => service.stop(running.current.shutdown.graceSeconds * 1000))
      .then(
        () => {
          logger.info({ event: 'stopped' }, 'stopped');
          logger.flush();
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ event: 'shutdown-failed', err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // The chain starts with the start-up: a SIGHUP that comes before the service is up waits for it.
  let reloading: Promise<unknown> = started;
  process.on('SIGHUP', () => {
    if (load === undefined) return;
    reloading = reloading
      .catch(() => undefined)
      .then(() => {
        logger.info({ event: 'reload', signal: 'SIGHUP' }, 'reloading the config and the users file');
        return reload(load());
      })
      .catch((error: unknown) => {
        logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'config not reloaded; keeping the running one');
      });
  });

  const service = await started;
  reportListening(logger, service.listeners);
  // A root start keeps no more rights than it needs.
  applyRunAs(running.current.daemon, logger);
  await service.afterStart?.();
  return { service, reload };
}
