import { oneWord } from '../../session/arguments.js';
import { userChange } from '../admin-change.js';
import { defineCommand } from '../command.js';

/** DELUSER <user> (extension): no new logins; an open POP3 session of that user runs to its end. */
export const deluser = defineCommand({
  verb: 'DELUSER',
  phases: ['transaction'],
  args: oneWord,
  usage: 'DELUSER <user>',
  run: (state, name, context) =>
    userChange(context, state, 'user-removed', name, () => context.userAdmin.remove(name), `User ${name} removed`),
});
