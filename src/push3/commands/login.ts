import { catchError, from, map, mergeMap, of, switchMap, type Observable } from 'rxjs';
import { afterPenalty } from '../../auth/login-penalty.js';
import { DirectoryUnavailableError } from '../../auth/users.js';
import { twoWords } from '../../session/arguments.js';
import { defineCommand, type Transition } from '../command.js';
import { reportError, type Push3Context } from '../context.js';
import { fail, success } from '../replies.js';

/** A password check as the peer's address pays for it: a failure answers after its penalty, a success clears it. */
function paced(context: Push3Context, valid: boolean): Observable<boolean> {
  const { throttle } = context;
  const { address } = context.connection;
  if (throttle === undefined || address === undefined) return of(valid);
  if (!valid) return afterPenalty(throttle, address, context.scheduler, valid);
  throttle.succeeded(address);
  return of(valid);
}

/** LOGIN <user> <pass>: a user of the POP3 user directory who is also listed in push3.admins. */
export const login = defineCommand({
  verb: 'LOGIN',
  phases: ['authentication'],
  args: twoWords,
  usage: 'LOGIN <user> <pass>',
  run: (state, [user, password], context) =>
    from(context.users.authenticate(user, password)).pipe(
      // Admin rights are checked before the pacing: a non-admin with the right password is a failure, paced,
      // counted and answered as a wrong password, so neither the reply nor its timing tells the two apart.
      mergeMap((valid) => (valid ? context.authority(user) : of(undefined))),
      switchMap((grant) => paced(context, grant !== undefined).pipe(map(() => grant))),
      map((grant): Transition => {
        const { id, address } = context.connection;
        const at = context.scheduler.now();
        if (grant === undefined) {
          context.emit({ type: 'auth', protocol: 'push3', connection: id, user, ok: false, address, at });
          return { state, reply: fail('Authentication failed') };
        }
        context.emit({ type: 'auth', protocol: 'push3', connection: id, user, ok: true, at });
        return { state: { phase: 'transaction', user, grant }, reply: success(`Logged in as ${user}`) };
      }),
      // The directory could not answer: not a wrong password, so neither counted nor throttled as one.
      catchError((error: unknown) => {
        if (!(error instanceof DirectoryUnavailableError)) throw error;
        reportError(context, error);
        return of<Transition>({ state, reply: fail('User directory unavailable, try again later') });
      }),
    ),
});
