import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { workerCount } from '../cluster/size.js';
import type { Daemon } from '../main.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';

/**
 * SIGTERM/SIGINT: stop accepting, let sessions drain for shutdown.graceSeconds, then exit. Installed before
 * the daemon has started (a signal during start-up waits for it), so no signal finds Node's default action.
 */
function onStopSignals(started: Promise<Daemon>, logger: Logger, graceSeconds: () => number): void {
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'stopping: no new connections, draining sessions');
    started.then((daemon) => daemon.stop(graceSeconds() * 1000)).then(
      () => {
        logger.info({ event: 'stopped' }, 'stopped');
        logger.flush();
        process.exit(EX.OK);
      },
      (error: unknown) => {
        logger.error({ event: 'shutdown-failed', err: error }, 'shutdown failed');
        process.exit(EX.FAILURE);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/**
 * SIGHUP: read the config again (file, environment, flags) and hand it to the daemon, which also re-reads
 * the users file. When the config no longer loads, that is logged and the running one kept. One at a time.
 */
function onReloadSignal(started: Promise<Daemon>, logger: Logger, load: () => Config, applied: (config: Config) => void): void {
  // The chain starts with the start-up: a SIGHUP that comes before the daemon is up waits for it.
  let reloading: Promise<unknown> = started;
  process.on('SIGHUP', () => {
    reloading = reloading
      .then(() => started)
      .then(async (daemon) => {
        logger.info({ event: 'reload', signal: 'SIGHUP' }, 'reloading the config and the users file');
        applied(await daemon.reload(load()));
      })
      .catch((error: unknown) => {
        logger.error({ event: 'reload-failed', reason: (error as Error).message }, 'config not reloaded; keeping the running one');
      });
  });
}

export const serve: Command = {
  name: 'serve',
  summary: 'run the POP3 daemon (logs JSON lines to stdout)',
  help: `Usage: pop3d serve [options]

Runs the daemon in the foreground, logging one JSON object per line to stdout (for journald; pipe it
through pino-pretty to read it yourself).

Signals:
  SIGHUP            reload the users file and the config (what cannot change live is logged as needing a restart)
  SIGTERM, SIGINT   stop accepting connections, let open sessions finish for shutdown.graceSeconds, exit

With workers > 1 these go to the primary process, which passes them on to every worker.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    if (invocation.args.length > 0) throw new CliError(`serve takes no arguments; see pop3d serve --help`, EX.USAGE);
    // A cluster worker takes its config from the primary, so that all of them run with the same one.
    if (cluster.isWorker) {
      await (await import('../cluster/worker.js')).runWorker();
      return undefined;
    }
    let config = loadConfig(invocation);
    // Loaded here, not at the top: the other commands (deliver runs once per message) skip its start-up cost.
    const { createLogger, startDaemon } = await import('../main.js');
    const logger = createLogger(config);
    if (workerCount(config.workers) > 1) {
      await (await import('../cluster/primary.js')).runPrimary(config, logger, () => loadConfig(invocation));
      return undefined;
    }
    const started = startDaemon(config, logger);
    onStopSignals(started, logger, () => config.shutdown.graceSeconds);
    onReloadSignal(started, logger, () => loadConfig(invocation), (effective) => (config = effective));
    await started;
    return undefined;
  },
};
