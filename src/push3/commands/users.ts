import { catchError, from, map, of } from 'rxjs';
import { defineCommand, type Transition } from '../command.js';
import { fail, success } from '../replies.js';
import { AdminRefusal } from '../user-admin.js';

/** USERS (extension): the users of the user directory, space separated, in its order. */
export const users = defineCommand({
  verb: 'USERS',
  phases: ['transaction'],
  args: { min: 0, max: 0 },
  usage: 'USERS',
  run: (state, _args, context) =>
    from(context.userAdmin.list()).pipe(
      map((names): Transition => ({ state, reply: success(names.join(' ')) })),
      // Not configured for this source, or the directory is down: say which; anything else is the dispatcher's.
      catchError((error: unknown) => {
        if (error instanceof AdminRefusal) return of<Transition>({ state, reply: fail(error.message) });
        throw error;
      }),
    ),
});
