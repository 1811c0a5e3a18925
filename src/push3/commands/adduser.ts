import { twoWords } from '../../session/arguments.js';
import { userChange } from '../admin-change.js';
import { defineCommand } from '../command.js';

/** ADDUSER <user> <pass> (extension): a new POP3 user, stored hashed; can log in at once. */
export const adduser = defineCommand({
  verb: 'ADDUSER',
  phases: ['transaction'],
  args: twoWords,
  usage: 'ADDUSER <user> <pass>',
  run: (state, [name, password], context) =>
    userChange(context, state, 'user-added', name, () => context.userAdmin.add(name, password), `User ${name} added`),
});
