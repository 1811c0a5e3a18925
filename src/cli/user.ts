import { formatProblem, PasswdFileDirectory, type UsersFileProblem } from '../auth/passwd-directory.js';
import { addUser, removeUser, setPassword } from '../auth/passwd-editor.js';
import { COMMON_OPTIONS, type Command } from './command.js';
import { CliError, EX } from './exit-codes.js';
import { loadConfig, type Invocation } from './options.js';
import { readNewPassword } from './password-input.js';

const RELOAD_HINT = 'a running daemon sees the change after a reload (systemctl reload pop3d, or kill -HUP its pid)';

/** Each action: how many names it takes, and what it does with the users file. */
const ACTIONS: Readonly<Record<string, { readonly names: number; run(file: string, name: string): Promise<string> }>> = {
  add: {
    names: 1,
    async run(file, name) {
      await addUser(file, name, await readNewPassword());
      return `added user ${name} to ${file}`;
    },
  },
  passwd: {
    names: 1,
    async run(file, name) {
      await setPassword(file, name, await readNewPassword());
      return `changed the password of ${name} in ${file}`;
    },
  },
  remove: {
    names: 1,
    async run(file, name) {
      await removeUser(file, name);
      return `removed user ${name} from ${file}`;
    },
  },
  list: {
    names: 0,
    async run(file) {
      const warn = (problem: UsersFileProblem): void => void process.stderr.write(`pop3d: warning: ${formatProblem(problem)}\n`);
      return (await (await PasswdFileDirectory.load(file, warn)).list()).join('\n');
    },
  },
};

export const user: Command = {
  name: 'user',
  summary: 'add|passwd|remove|list: edit the users file',
  help: `Usage: pop3d user add NAME       add a user (prompts for the password)
       pop3d user passwd NAME    change a user's password (prompts for it)
       pop3d user remove NAME    remove a user
       pop3d user list           print the user names, one per line

Edits the users file named by the config (users.file) atomically: a crash or a concurrent reader sees the
old file or the new one, never half of it. New passwords are stored hashed with Argon2id.
The password is never taken from the command line: at a terminal it is prompted for twice without echo;
otherwise it is read from stdin, one trailing newline dropped:  printf '%s\\n' "$PW" | pop3d user add bob
A running daemon sees the change after a reload: systemctl reload pop3d, or kill -HUP its pid.

${COMMON_OPTIONS}`,
  async run(invocation: Invocation) {
    const [action, ...names] = invocation.args;
    const spec = action !== undefined && Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
    if (spec === undefined || names.length !== spec.names) {
      throw new CliError(`usage: pop3d user add|passwd|remove NAME, or pop3d user list; see pop3d user --help`, EX.USAGE);
    }
    const file = loadConfig(invocation).users.file;
    const out = await spec.run(file, names[0] ?? '');
    if (out !== '') process.stdout.write(`${out}\n`);
    if (action !== 'list') process.stderr.write(`pop3d: ${RELOAD_HINT}\n`);
    return EX.OK;
  },
};
