import { catchError, from, map, mergeMap, of } from 'rxjs';
import { DirectoryUnavailableError } from '../../auth/users.js';
import { defineCommand, type Transition } from '../command.js';
import { reportError } from '../context.js';
import { fail, success } from '../replies.js';

/** LOGIN <user> <pass>: a user of the POP3 user directory who is also listed in push3.admins. */
export const login = defineCommand({
  verb: 'LOGIN',
  phases: ['authentication'],
  args: { min: 2, max: 2 },
  usage: 'LOGIN <user> <pass>',
  run: (state, [user = '', password = ''], context) =>
    from(context.users.authenticate(user, password)).pipe(
      // Admin rights are checked after the password, so a non-admin gets the same reply, as slowly.
      mergeMap((valid) => (valid ? context.authority(user) : of(undefined))),
      map((grant): Transition => {
        const ok = grant !== undefined;
        const { id } = context.connection;
        context.emit({ type: 'auth', protocol: 'push3', connection: id, user, ok, at: context.scheduler.now() });
        return ok
          ? { state: { phase: 'transaction', user, grant }, reply: success(`Logged in as ${user}`) }
          : { state, reply: fail('Authentication failed') };
      }),
      // The directory could not answer: not a wrong password, so neither counted nor throttled as one.
      catchError((error: unknown) => {
        if (!(error instanceof DirectoryUnavailableError)) throw error;
        reportError(context, error);
        return of<Transition>({ state, reply: fail('User directory unavailable, try again later') });
      }),
    ),
});
