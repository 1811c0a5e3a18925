import type { CommandSpec } from '../command.js';
import { adduser } from './adduser.js';
import { deluser } from './deluser.js';
import { finish } from './finish.js';
import { get } from './get.js';
import { kick } from './kick.js';
import { helpCommand } from './help.js';
import { login } from './login.js';
import { metrics } from './metrics.js';
import { passwd } from './passwd.js';
import { quit } from './quit.js';
import { sessions } from './sessions.js';
import { set } from './set.js';
import { unwatch } from './unwatch.js';
import { users } from './users.js';
import { watch } from './watch.js';

const table = new Map<string, CommandSpec>();

/** Every Push3 command, by verb. Adding a command is adding a module and a line here. */
export const commandTable: ReadonlyMap<string, CommandSpec> = table;

for (const spec of [
  login,
  metrics,
  finish,
  quit,
  helpCommand(() => table.values()),
  watch,
  unwatch,
  users,
  adduser,
  deluser,
  passwd,
  get,
  set,
  sessions,
  kick,
]) {
  table.set(spec.verb, spec);
}
