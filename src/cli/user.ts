import type { Directory } from '../auth/directory.js';
import { openDirectory } from '../auth/open-directory.js';
import { formatProblem, type UsersFileProblem } from '../auth/passwd-directory.js';
import { UserEditError } from '../auth/passwd-editor.js';
import { DirectoryUnavailableError } from '../auth/users.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';
import { readNewPassword } from './password-input.js';

const RELOAD_HINT = 'a running daemon sees the change after a reload (systemctl reload pop3d, or kill -HUP its pid)';

/** Each action: how many names it takes, and what it does through the user directory. */
type Action = (users: Directory, name: string, where: string) => Promise<string>;
const ACTIONS: Readonly<Record<string, { readonly names: number; readonly run: Action }>> = {
  add: {
    names: 1,
    async run(users, name, where) {
      await users.add(name, await readNewPassword());
      return `added user ${users.canonical(name)} to ${where}`;
    },
  },
  passwd: {
    names: 1,
    async run(users, name, where) {
      await users.setPassword(name, await readNewPassword());
      return `changed the password of ${users.canonical(name)} in ${where}`;
    },
  },
  remove: {
    names: 1,
    async run(users, name, where) {
      await users.remove(name);
      return `removed user ${users.canonical(name)} from ${where}`;
    },
  },
  list: {
    names: 0,
    run: async (users) => (await users.list()).join('\n'),
  },
};

/** Refusals (exists, missing, not configured) are 1; a directory that cannot be reached is 75, try again. */
function failure(error: unknown): unknown {
  if (error instanceof UserEditError) return new CliError(error.message, EX.FAILURE);
  if (error instanceof DirectoryUnavailableError) return new CliError(error.message, EX.TEMPFAIL);
  return error;
}

export const user: Command = {
  name: 'user',
  summary: 'add|passwd|remove|list: edit the users (users.source)',
  help: `Usage: pop3d user add NAME       add a user (prompts for the password)
       pop3d user passwd NAME    change a user's password (prompts for it)
       pop3d user remove NAME    remove a user
       pop3d user list           print the user names, one per line

Edits the users where users.source keeps them: the users file (users.file), rewritten atomically so that a
crash or a concurrent reader sees the old file or the new one, or PostgreSQL through the configured queries
(users.postgresql.addQuery, passwordUpdateQuery, deleteQuery, listQuery). New passwords are stored hashed with
Argon2id. The password is never taken from the command line: at a terminal it is prompted for twice without
echo; otherwise it is read from stdin, one trailing newline dropped:  printf '%s\\n' "$PW" | pop3d user add bob
A running daemon sees the change after a reload: systemctl reload pop3d, or kill -HUP its pid.
Exit 0 done, 1 refused (exists, missing, not configured for the source), 75 the directory is unreachable.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    const [action, ...names] = invocation.args;
    const spec = action !== undefined && Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (spec === undefined || names.length !== spec.names) {
      throw new CliError(`usage: pop3d user add|passwd|remove NAME, or pop3d user list; see pop3d user --help`, EX.USAGE);
    }
    const config = loadConfig(invocation);
    const warn = (problem: UsersFileProblem): void => void process.stderr.write(`pop3d: warning: ${formatProblem(problem)}\n`);
    // Adding must not need the file first: the editor creates a missing one.
    const users = await openDirectory(config, { log: warn, missingFileIsEmpty: action !== 'list' });
    const where = config.users.source === 'passwd-file' ? config.users.file : `the ${config.users.source} user source`;
    try {
      const out = await spec.run(users, names[0] ?? '', where).catch((error: unknown) => Promise.reject(failure(error)));
      if (out !== '') process.stdout.write(`${out}\n`);
    } finally {
      await users.close();
    }
    if (action !== 'list') process.stderr.write(`pop3d: ${RELOAD_HINT}\n`);
    return EX.OK;
  },
};
