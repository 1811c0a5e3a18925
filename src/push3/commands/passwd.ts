import { twoWords } from '../../session/arguments.js';
import { userChange } from '../admin-change.js';
import { defineCommand } from '../command.js';

/** PASSWD <user> <pass> (extension): a new password, stored hashed; open sessions are not affected. */
export const passwd = defineCommand({
  verb: 'PASSWD',
  phases: ['transaction'],
  args: twoWords,
  usage: 'PASSWD <user> <pass>',
  run: (state, [name, password], context) =>
    userChange(
      context,
      state,
      'password-changed',
      name,
      () => context.userAdmin.passwd(name, password),
      `Password of ${name} changed`,
    ),
});
