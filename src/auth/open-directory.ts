import type { Config } from '../config/schema.js';
import type { ServerEvent } from '../events/server-events.js';
import { Directory } from './directory.js';
import { PasswdFileDirectory, type ProblemLogger } from './passwd-directory.js';
import type { UserSource } from './source.js';

export interface DirectoryHooks {
  /** Problems of the users file or of a record (bad line, unusable mail location, unreadable secret). */
  readonly log?: ProblemLogger;
  readonly emit?: (event: ServerEvent) => void;
  /** A users file that does not exist yet reads as empty (for `pop3d user add`), instead of failing. */
  readonly missingFileIsEmpty?: boolean;
}

async function openSource(config: Config, log: ProblemLogger, missingFileIsEmpty: boolean): Promise<UserSource> {
  const { users } = config;
  const timeoutMs = users.timeout * 1000;
  const report = (reason: string): void => log({ path: users.source, reason });
  // A source's client library (pg, ldapts) is loaded only where that source is configured.
  switch (users.source) {
    case 'postgresql': {
      const { PostgresqlSource } = await import('./sources/postgresql.js');
      return new PostgresqlSource(users.postgresql!, timeoutMs, report);
    }
    case 'ldap': {
      const { LdapSource } = await import('./sources/ldap.js');
      return new LdapSource(users.ldap!, timeoutMs, report);
    }
    default:
      // Rejects, naming the path, when the file cannot be read.
      return PasswdFileDirectory.load(users.file, log, { missingFileIsEmpty });
  }
}

/** The user directory the config names (users.source), with the cache, timeout and names of users.* and auth.*. */
export async function openDirectory(config: Config, hooks: DirectoryHooks = {}): Promise<Directory> {
  const log = hooks.log ?? ((problem) => process.emitWarning(`${problem.path}: ${problem.user ?? ''} ${problem.reason}`));
  const source = await openSource(config, log, hooks.missingFileIsEmpty ?? false);
  const { cache } = config.users;
  return new Directory(source, {
    names: { lowercase: config.auth.lowercaseNames, defaultDomain: config.auth.defaultDomain },
    cache: { ttlMs: cache.ttl * 1000, negativeTtlMs: cache.negativeTtl * 1000, maxEntries: cache.size },
    timeoutMs: config.users.timeout * 1000,
    emit: hooks.emit,
    onBadSecret: (user, reason) => log({ path: config.users.source === 'passwd-file' ? config.users.file : config.users.source, user, reason }),
  });
}
