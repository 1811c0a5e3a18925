import type { Logger } from 'pino';
import { createRunningConfig } from '../config/running-config.js';
import type { Config } from '../config/schema.js';
import { runLifeCycle } from './life-cycle.js';
import { startDaemon } from './start-daemon.js';

/** One process serving everything (config `workers` = 1). Resolves once it listens. */
export async function runStandalone(config: Config, logger: Logger, load: () => Config): Promise<void> {
  const running = createRunningConfig(config);
  await runLifeCycle({
    logger,
    running,
    load,
    start: () => startDaemon(running, logger),
    stopping: 'stopping: no new connections, draining sessions',
  });
}
