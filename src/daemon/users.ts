import type { Logger } from 'pino';
import type { Directory } from '../auth/directory.js';
import { openDirectory } from '../auth/open-directory.js';
import type { UsersFileProblem } from '../auth/passwd-directory.js';
import type { Config } from '../config/schema.js';
import type { EventBus } from '../events/server-events.js';

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
