import { from, map } from 'rxjs';
import { noArguments } from '../../session/arguments.js';
import { defineCommand, type Transition } from '../command.js';
import { success } from '../replies.js';

/** USERS (extension): the users of the users file, space separated, in file order. */
export const users = defineCommand({
  verb: 'USERS',
  phases: ['transaction'],
  args: noArguments,
  usage: 'USERS',
  run: (state, _args, context) =>
    from(context.userAdmin.list()).pipe(map((names): Transition => ({ state, reply: success(names.join(' ')) }))),
});
