import { userChange } from '../admin-change.js';
import { defineCommand } from '../command.js';

/** DELUSER <user> (extension): no new logins; an open POP3 session of that user runs to its end. */
export const deluser = defineCommand({
  verb: 'DELUSER',
  phases: ['transaction'],
  args: { min: 1, max: 1 },
  usage: 'DELUSER <user>',
  run: (state, [name = ''], context) =>
    userChange(context, state, 'user-removed', name, () => context.userAdmin.remove(name), `User ${name} removed`),
});
