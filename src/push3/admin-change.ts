import { catchError, from, map, of, type Observable } from 'rxjs';
import type { ServerEvent } from '../events/server-events.js';
import type { Transition } from './command.js';
import { reportError, type Push3Context } from './context.js';
import { fail, success } from './replies.js';
import type { Transaction } from './state.js';
import { AdminRefusal } from './user-admin.js';

type Change = Extract<ServerEvent, { type: 'admin-change' }>['change'];

/** Reports a change made by the admin of this session on the event stream (the audit log follows it). */
export function auditChange(context: Push3Context, state: Transaction, change: Change, target: string): void {
  const { id } = context.connection;
  context.emit({ type: 'admin-change', connection: id, user: state.user, change, target, at: context.scheduler.now() });
}

/** A refusal's reply, which shows its reason; the directory failure behind it, if any, goes to the log. */
export function refused(context: Push3Context, state: Transaction, refusal: AdminRefusal): Observable<Transition> {
  if (refusal.cause !== undefined) reportError(context, refusal.cause);
  return of({ state, reply: fail(refusal.message) });
}

/**
 * Runs a users-file change: on success the change is audited and `done` is the reply; a refusal shows its
 * reason; any other failure is an error event and a plain `->FAIL:` (file system details stay in the log).
 */
export function userChange(
  context: Push3Context,
  state: Transaction,
  change: Change,
  user: string,
  edit: () => Promise<void>,
  done: string,
): Observable<Transition> {
  return from(edit()).pipe(
    map((): Transition => {
      auditChange(context, state, change, user);
      return { state, reply: success(done) };
    }),
    catchError((error: unknown) => {
      if (error instanceof AdminRefusal) return refused(context, state, error);
      reportError(context, error);
      return of({ state, reply: fail('Cannot update the users file') });
    }),
  );
}
