import { catchError, from, map, of } from 'rxjs';
import { oneWord } from '../../session/arguments.js';
import { defineCommand, type Transition } from '../command.js';
import { reportError } from '../context.js';
import { fail, success } from '../replies.js';
import { sessionCount } from './sessions.js';

/**
 * KICK <connection|user> (extension): ends that POP3 session, or every session of that user, with
 * `-ERR [SYS/TEMP] Closed by the administrator`; nothing is deleted and the maildrop lock is released.
 * In a cluster the primary asks every worker; the one holding the session ends it.
 */
export const kick = defineCommand({
  verb: 'KICK',
  phases: ['transaction'],
  args: oneWord,
  usage: 'KICK <connection|user>',
  run: (state, target, context) => {
    const matched = context.sessions.matching(target);
    if (matched.length === 0) return { state, reply: fail(`No session of ${target}`) };
    context.emit({ type: 'admin-command', connection: context.connection.id, user: state.user, verb: 'KICK', target, at: context.scheduler.now() });
    return from(context.kick(target)).pipe(
      map((): Transition => ({ state, reply: success(`Closed ${sessionCount(matched.length)}`) })),
      catchError((error: unknown) => {
        reportError(context, error);
        return of<Transition>({ state, reply: fail('Could not reach the sessions') });
      }),
    );
  },
});
