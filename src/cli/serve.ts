import cluster from 'node:cluster';
import type { Config } from '../config/schema.js';
import { workerCount } from '../cluster/size.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';

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
    const config = loadConfig(invocation);
    const load = (): Config => loadConfig(invocation);
    // Loaded here, not at the top: the other commands (deliver runs once per message) skip its start-up cost.
    const { createLogger } = await import('../daemon/logger.js');
    const logger = createLogger(config);
    if (workerCount(config.workers) > 1) await (await import('../cluster/primary.js')).runPrimary(config, logger, load);
    else await (await import('../daemon/standalone.js')).runStandalone(config, logger, load);
    return undefined;
  },
};
