import { from, map, mergeMap, of } from 'rxjs';
import { defineCommand, type Transition } from '../command.js';
import { fail, success } from '../replies.js';

/** LOGIN <user> <pass>: a user of the POP3 users file who is also listed in push3.admins. */
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
    ),
});
