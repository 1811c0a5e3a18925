import { commandTable as tableOf } from '../../session/command.js';
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

/** Every Push3 command, by verb. Adding a command is adding a module and a line here. HELP reads the table lazily. */
export const commandTable: ReadonlyMap<string, CommandSpec> = tableOf([
  login,
  metrics,
  finish,
  quit,
  helpCommand(() => commandTable.values()),
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
]);
