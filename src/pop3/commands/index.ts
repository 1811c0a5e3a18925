import { commandTable as tableOf } from '../../session/command.js';
import type { CommandSpec } from '../command.js';
import { apop } from './apop.js';
import { auth } from './auth.js';
import { capa } from './capa.js';
import { dele } from './dele.js';
import { list } from './list.js';
import { noop } from './noop.js';
import { pass } from './pass.js';
import { quit } from './quit.js';
import { retr } from './retr.js';
import { rset } from './rset.js';
import { stat } from './stat.js';
import { stls } from './stls.js';
import { top } from './top.js';
import { uidl } from './uidl.js';
import { user } from './user.js';

/** Every POP3 command, by keyword. Adding a command is adding a module and a line here. */
export const commandTable: ReadonlyMap<string, CommandSpec> = tableOf([
  capa, stls, user, pass, apop, auth, quit, stat, list, retr, dele, noop, rset, top, uidl,
]);
