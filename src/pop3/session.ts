import { concat, defer, finalize, from, map, Observable, of } from 'rxjs';
import type { Outbound, ServedConnection, SessionFactory, SessionOutput, StartTls } from '../net/connection.js';
import type { Outcome } from '../session/command.js';
import type { InputLine } from '../net/lines.js';
import { flatString } from '../process/flat-string.js';
import { inOrder } from '../session/in-order.js';
import { runSession } from '../session/run-session.js';
import type { Transition } from './command.js';
import type { Pop3Service, SessionContext } from './context.js';
import { step } from './dispatch.js';
import { err, type InstantReply, type StreamedReply } from './replies.js';
import { initialState, type Authorization, type SessionState } from './state.js';

const AUTOLOGOUT = err('Disconnected for inactivity');
const KICKED = err('Closed by the administrator', 'SYS/TEMP');
/** Unanswered pipelined commands a session accepts before it stops reading more. */
const BACKLOG_LIMIT = 64;

/** The last transition of a session: QUIT accepted (UPDATE or closed), or STLS accepted. */
const isFinal = (state: SessionState): boolean => state.phase !== 'authorization' && state.phase !== 'transaction';

/**
 * A POP3 connection: the greeting, then a session. Its APOP timestamp is unique per connection: the
 * connection id is 48 random bits, and the clock is added as RFC 1939 suggests.
 */
export function pop3Session(service: Pop3Service): SessionFactory<ServedConnection> {
  return (lines$, connection) =>
    defer(() => {
      // Kept for the whole session: flat rather than a tree of pieces.
      const timestamp = flatString(`<${connection.id}.${service.scheduler.now()}@${service.hostname}>`);
      return runPop3Session(service, lines$, connection, timestamp, initialState, `+OK POP3 server ready ${timestamp}\r\n`);
    });
}

/**
 * What runs once TLS is up after STLS: a fresh session without a greeting (RFC 2595 §4: the client forgets
 * what it learned and asks CAPA again). It keeps the greeting's timestamp, which APOP refers to, and the
 * failure count, so STLS does not buy more login attempts.
 */
function afterStartTls(service: Pop3Service, timestamp: string, failures: number): StartTls {
  const opening: Authorization = { phase: 'authorization', failures };
  return {
    kind: 'start-tls',
    resume: (lines$, connection) => defer(() => runPop3Session(service, lines$, connection, timestamp, opening)),
  };
}

/**
 * A POP3 session on the session kernel (which folds the lines through `step` one command at a time):
 * each transition's reply stream is concatenated in command order. Silence ends the session with no UPDATE: the login timeout before login, the
 * autologout after. Whatever ends the session (QUIT, STLS, timeout, client gone), a maildrop still held
 * is released. Lines already received after STLS are dropped with the rest of the input (RFC 2595 §4).
 */
function runPop3Session(
  service: Pop3Service,
  lines$: Observable<InputLine>,
  connection: ServedConnection,
  timestamp: string,
  opening: Authorization,
  greeting?: string,
): Observable<SessionOutput> {
  // The service's fields through the prototype: a spread copy per session would also get its own hidden class.
  const context: SessionContext = Object.assign(Object.create(service) as Pop3Service, {
    connection,
    timestamp,
    plaintextAuth: service.plaintextAuthAllowed(connection),
  });
  let current: SessionState = opening;
  const userNow = (): string | undefined => ('user' in current ? current.user : undefined);
  /** Whether QUIT's reply has started the commit, which then owns the maildrop. */
  let committing = false;
  let released = false;
  /**
   * Gone before QUIT's turn came (or without QUIT): no UPDATE, the lock is released, once. Undefined when
   * there was nothing to release.
   */
  const releaseUncommitted = (): Promise<void> | undefined => {
    if (released || !(current.phase === 'transaction' || (current.phase === 'update' && !committing))) return undefined;
    released = true;
    return current.maildrop.release();
  };
  // Lines received and not yet answered; past BACKLOG_LIMIT the net layer stops reading input.
  let backlog = 0;
  let held = false;
  const adjustBacklog = (delta: number): void => {
    backlog += delta;
    if (held !== backlog >= BACKLOG_LIMIT) {
      held = !held;
      connection.holdInput?.(held);
    }
  };
  /** A streamed reply's octets; its backlog slot is freed however it ends. */
  const streamedAnswer = ({ wire$, sent }: StreamedReply): Observable<Outbound> =>
    new Observable<Outbound>((subscriber) => {
      // One subscriber rather than tap and finalize: twenty of these in a session that fetches twenty messages.
      const inner = wire$.subscribe({
        next: (chunk) => subscriber.next(chunk),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sent?.();
          subscriber.complete();
        },
      });
      return () => {
        inner.unsubscribe();
        adjustBacklog(-1);
      };
    });
  // Each transition's reply when its turn comes: an instant reply as the string itself, no stream.
  const replies = inOrder(({ state, reply }: Transition): Outcome<SessionOutput> => {
    // From here the commit owns the maildrop (it releases the lock when done).
    if (state.phase === 'update') committing = true;
    if (state.phase === 'starting-tls') {
      const answer$ = 'wire' in reply ? of(answerNow(reply)) : streamedAnswer(reply);
      return concat(answer$, of(afterStartTls(service, timestamp, state.failures)));
    }
    return 'wire' in reply ? answerNow(reply) : streamedAnswer(reply);
  });
  /** An instant reply, handed to the socket as it is returned. */
  function answerNow({ wire, sent }: InstantReply): string {
    adjustBacklog(-1);
    sent?.();
    return wire;
  }
  const session$ = runSession<SessionState, Transition, InputLine, SessionOutput>(lines$, {
    scheduler: context.scheduler,
    greeting,
    initial: opening,
    step: (state, line) => step(state, line, context),
    isFinal,
    silenceAllowedMs: (state) => (state.phase === 'authorization' ? context.loginTimeoutMs() : context.idleTimeoutMs()),
    onSilence: () => {
      context.emit({ type: 'timeout', protocol: 'pop3', connection: connection.id, at: context.scheduler.now() });
      return of(AUTOLOGOUT.wire);
    },
    onLine: () => adjustBacklog(1),
    onTransition: (transition) => (current = transition.state),
    output: replies,
  });
  return session$.pipe(
    // The lock is free before the client reads the farewell, so it can log in again at once.
    context.controls.endWhenKicked<SessionOutput>(connection.id, userNow, () => {
      context.emit({ type: 'kicked', connection: connection.id, user: userNow(), at: context.scheduler.now() });
      const releasing = releaseUncommitted();
      if (releasing === undefined) return of(KICKED.wire);
      // Released or not (the failure is the store's to report), the session ends.
      const settled = releasing.then(
        () => undefined,
        () => undefined,
      );
      return from(settled).pipe(map(() => KICKED.wire));
    }),
    finalize(() => void releaseUncommitted()),
  );
}
