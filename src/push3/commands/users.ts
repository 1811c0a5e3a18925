import { catchError, from, map } from 'rxjs';
import { noArguments } from '../../session/arguments.js';
import { refused } from '../admin-change.js';
import { defineCommand, type Transition } from '../command.js';
import { success } from '../replies.js';
import { AdminRefusal } from '../user-admin.js';

/** USERS (extension): the users of the user directory, space separated, in its order. */
export const users = defineCommand({
  verb: 'USERS',
  phases: ['transaction'],
  args: noArguments,
  usage: 'USERS',
  run: (state, _args, context) =>
    from(context.userAdmin.list()).pipe(
      map((names): Transition => ({ state, reply: success(names.join(' ')) })),
      // Not configured for this source, or the directory is down: say which; anything else is the dispatcher's.
      catchError((error: unknown) => {
        if (error instanceof AdminRefusal) return refused(context, state, error);
        throw error;
      }),
    ),
});
