#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from './config/load.js';
import { createLogger, startDaemon } from './main.js';

const DEFAULT_CONFIG = fileURLToPath(new URL('../config/default.json', import.meta.url));

const USAGE = `Usage: pop3d <command> [options]

Commands:
  serve             run the POP3 daemon

Options:
  --config FILE     config file (default: the embedded config/default.json)
  --help            show this help`;

async function serve(configFile: string): Promise<void> {
  const config = loadConfigFile(configFile);
  const logger = createLogger(config);
  const daemon = await startDaemon(config, logger);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutdown', signal }, 'stopping: no new connections, draining sessions');
    daemon.stop(config.shutdown.graceSeconds * 1000).then(
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
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 64;
  }
  if (command === 'serve') {
    await serve(values.config ?? DEFAULT_CONFIG);
    return -1; // keeps running
  }
  console.error(`pop3d: unknown command '${command}'\n\n${USAGE}`);
  return 64;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    console.error(`pop3d: ${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);
