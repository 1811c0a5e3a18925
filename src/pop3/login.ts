import { catchError, from, map, Observable, of, switchMap } from 'rxjs';
import { afterPenalty } from '../auth/login-penalty.js';
import { validateUserName } from '../auth/username.js';
import { DirectoryUnavailableError } from '../auth/users.js';
import { MaildropLockedError, type Maildrop } from '../maildrop/maildrop.js';
import type { Transition } from './command.js';
import type { SessionContext } from './context.js';
import { timedUntilAnswer } from './latency.js';
import { err, messageCount, ok } from './replies.js';
import { dropListing, idle, NONE_DELETED, type Authorization, type Transaction } from './state.js';

const FAILED = 'Authentication failed.';
const LAST_FAILURE = 'Authentication failed; too many failures, closing the connection';

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
function enterTransaction(context: SessionContext, state: Authorization, user: string): Observable<Transition> {
  const at = context.scheduler.now();
  context.throttle.succeeded(context.connection.address);
  return openMaildrop(context, user).pipe(
    timedUntilAnswer(context, 'maildrop-open', user),
    map((maildrop): Transition => {
      const opened: Transaction = { phase: 'transaction', user, maildrop, deleted: NONE_DELETED };
      const { count, octets } = dropListing(opened);
      context.emit({ type: 'auth', protocol: 'pop3', connection: context.connection.id, user, ok: true, at });
      return { state: opened, reply: ok(`Logged in: ${messageCount(count)} (${octets} octets)`) };
    }),
    catchError((error: unknown) => {
      if (error instanceof MaildropLockedError) {
        context.emit({ type: 'lock-refused', connection: context.connection.id, user, at });
        return of<Transition>({ state: idle(state), reply: err('Mailbox is locked by another session', 'IN-USE') });
      }
      // The cause (no Maildir, a bad path, the directory down) goes to the log; the client learns only to retry.
      const message = [error, (error as Error).cause].filter(Boolean).map(String).join(': ');
      context.emit({ type: 'error', protocol: 'pop3', connection: context.connection.id, message, at });
      return of<Transition>({ state: idle(state), reply: err('Unable to open the mailbox', 'SYS/TEMP') });
    }),
  );
}

/**
 * The login step after the directory answers. When it cannot (down, too slow, failing), the client gets
 * `-ERR [SYS/TEMP]` and may retry: not a failed login, so neither counted on the connection nor throttled.
 */
export function afterDirectory<T>(
  context: SessionContext,
  state: Authorization,
  answer: Promise<T> | Observable<T>,
  next: (value: T) => Observable<Transition>,
): Observable<Transition> {
  return from(answer).pipe(
    switchMap(next),
    catchError((error: unknown) => {
      if (!(error instanceof DirectoryUnavailableError)) throw error;
      const at = context.scheduler.now();
      context.emit({ type: 'error', protocol: 'pop3', connection: context.connection.id, message: error.message, at });
      return of<Transition>({ state: idle(state), reply: err('User directory unavailable, try again later', 'SYS/TEMP') });
    }),
  );
}

/** Verify a password; then as concludeLogin. */
export function login(
  context: SessionContext,
  state: Authorization,
  user: string,
  password: string,
): Observable<Transition> {
  const verified = from(context.users.authenticate(user, password)).pipe(timedUntilAnswer(context, 'login-verification', user));
  return afterDirectory(context, state, verified, (valid) => concludeLogin(context, state, user, valid),
  );
}

/** After a credential check: TRANSACTION, or the one failure reply for every cause, so it reveals nothing. */
export function concludeLogin(
  context: SessionContext,
  state: Authorization,
  user: string,
  valid: boolean,
): Observable<Transition> {
  // A name that could become a path never reaches the Maildir store, whatever the directory said.
  const accepted = valid && validateUserName(user) === undefined;
  return accepted ? enterTransaction(context, state, user) : loginFailed(context, state, user);
}

/**
 * A failure is counted on the connection (the last allowed one closes it) and its reply is held back by the
 * address's penalty, on the scheduler: this session waits, the event loop and other clients do not.
 */
function loginFailed(context: SessionContext, state: Authorization, user: string): Observable<Transition> {
  const { connection, scheduler } = context;
  const { id, address } = connection;
  context.emit({ type: 'auth', protocol: 'pop3', connection: id, user, ok: false, address, at: scheduler.now() });
  const failures = state.failures + 1;
  const transition: Transition =
    failures >= context.maxFailuresPerConnection
      ? { state: { phase: 'closed' }, reply: err(LAST_FAILURE, 'AUTH') }
      : { state: { phase: 'authorization', failures }, reply: err(FAILED, 'AUTH') };
  return afterPenalty(context.throttle, connection.address, scheduler, transition);
}
