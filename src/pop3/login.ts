import { catchError, from, map, Observable, of, switchMap } from 'rxjs';
import { MaildropLockedError, type Maildrop } from '../mail/maildrop.js';
import type { Transition } from './command.js';
import type { SessionContext } from './context.js';
import { err, ok } from './replies.js';
import { dropListing, initialState, type Transaction } from './state.js';

const FAILED = 'Authentication failed.';

/**
 * Opens the maildrop as an Observable. If the session goes away while the lock is being taken,
 * the maildrop is released as soon as it arrives: a vanished client never leaves a lock behind.
 */
function openMaildrop(context: SessionContext, user: string): Observable<Maildrop> {
  return new Observable<Maildrop>((subscriber) => {
    let cancelled = false;
    context.maildrops.open(user).then(
      (maildrop) => {
        if (cancelled) void maildrop.release();
        else {
          subscriber.next(maildrop);
          subscriber.complete();
        }
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      cancelled = true;
    };
  });
}

/** After credentials are verified: lock and open the maildrop, entering TRANSACTION. */
export function enterTransaction(context: SessionContext, user: string): Observable<Transition> {
  const at = context.scheduler.now();
  return openMaildrop(context, user).pipe(
    map((maildrop): Transition => {
      const state: Transaction = { phase: 'transaction', user, maildrop, deleted: new Set() };
      const { count, octets } = dropListing(state);
      context.emit({ type: 'auth', protocol: 'pop3', connection: context.connection.id, user, ok: true, at });
      return { state, reply: ok(`Logged in: ${count} messages (${octets} octets)`) };
    }),
    catchError((error: unknown) => {
      if (error instanceof MaildropLockedError) {
        context.emit({ type: 'lock-refused', connection: context.connection.id, user, at });
        return of<Transition>({ state: initialState, reply: err('Mailbox is locked by another session', 'IN-USE') });
      }
      context.emit({ type: 'error', protocol: 'pop3', connection: context.connection.id, message: String(error), at });
      return of<Transition>({ state: initialState, reply: err('Unable to open the mailbox', 'SYS/TEMP') });
    }),
  );
}

/** Verify credentials; on success open the maildrop, on failure the same reply for any cause. */
export function login(context: SessionContext, user: string, password: string): Observable<Transition> {
  return from(context.users.authenticate(user, password)).pipe(
    switchMap((valid) => (valid ? enterTransaction(context, user) : loginFailed(context, user))),
  );
}

/** The one reply for every failed login, whatever the cause, so it reveals nothing. */
export function loginFailed(context: SessionContext, user: string): Observable<Transition> {
  context.emit({ type: 'auth', protocol: 'pop3', connection: context.connection.id, user, ok: false, at: context.scheduler.now() });
  return of<Transition>({ state: initialState, reply: err(FAILED, 'AUTH') });
}
