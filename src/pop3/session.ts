import { concat, concatMap, defer, EMPTY, finalize, from, mergeScan, of, takeWhile, type Observable } from 'rxjs';
import type { ServedConnection, SessionFactory, SessionOutput, StartTls } from '../net/connection.js';
import { ENDLESS_LINE_REPLY, type InputLine } from '../net/lines.js';
import { onEach } from '../net/on-each.js';
import { precededBy } from '../net/preceded-by.js';
import { SilenceClock } from '../net/silence.js';
import type { Transition } from './command.js';
import type { Pop3Service, SessionContext } from './context.js';
import { step } from './dispatch.js';
import { err } from './replies.js';
import { initialState, type Authorization, type SessionState } from './state.js';

const AUTOLOGOUT = err('Disconnected for inactivity');
const KICKED = err('Closed by the administrator', 'SYS/TEMP');
const ENDLESS = err(ENDLESS_LINE_REPLY);
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
      const timestamp = `<${connection.id}.${service.scheduler.now()}@${service.hostname}>`;
      return precededBy(`+OK POP3 server ready ${timestamp}\r\n`, runSession(service, lines$, connection, timestamp, initialState));
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
    resume: (lines$, connection) => defer(() => runSession(service, lines$, connection, timestamp, opening)),
  };
}

/**
 * A POP3 session as one stream: lines are parsed, folded in order through `step` (one command at a
 * time, so pipelined commands see each other's effects), and each transition's reply is concatenated
 * in command order. Silence ends the session with no UPDATE: the login timeout before login, the
 * autologout after. Whatever ends the session (QUIT, STLS, timeout, client gone), a maildrop still held
 * is released. Lines already received after STLS are dropped with the rest of the input (RFC 2595 §4).
 */
function runSession(
  service: Pop3Service,
  lines$: Observable<InputLine>,
  connection: ServedConnection,
  timestamp: string,
  opening: Authorization,
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
  const silenceAllowedMs = (): number =>
    current.phase === 'authorization' ? context.loginTimeoutMs() : context.idleTimeoutMs();
  // mergeScan's seed: only its state is used.
  const start: Transition = { state: opening, reply: { ok: true, out$: EMPTY } };
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
  const silence = new SilenceClock(context.scheduler, silenceAllowedMs);
  const session$ = lines$.pipe(
    onEach(() => {
      silence.touch();
      adjustBacklog(1);
    }),
    // An endless line is the input's last: answered in turn, it leaves the state as it is (no UPDATE).
    mergeScan(
      (previous: Transition, line) =>
        line.kind === 'endless' ? of({ state: previous.state, reply: ENDLESS }) : step(previous.state, line, context),
      start,
      1,
    ),
    onEach((transition) => (current = transition.state)),
    takeWhile((transition) => !isFinal(transition.state), true),
    concatMap(({ state, reply }): Observable<SessionOutput> => {
      const answer$ = reply.out$.pipe(finalize(() => adjustBacklog(-1)));
      if (state.phase === 'update') {
        // From here the commit owns the maildrop (it releases the lock when done).
        return defer(() => {
          committing = true;
          return answer$;
        });
      }
      return state.phase === 'starting-tls'
        ? concat(answer$, of(afterStartTls(service, timestamp, state.failures)))
        : answer$;
    }),
    silence.endAfter<SessionOutput>(() => {
      context.emit({ type: 'timeout', protocol: 'pop3', connection: connection.id, at: context.scheduler.now() });
      return AUTOLOGOUT.out$;
    }),
    // The lock is free before the client reads the farewell, so it can log in again at once.
    context.controls.endWhenKicked<SessionOutput>(connection.id, userNow, () => {
      context.emit({ type: 'kicked', connection: connection.id, user: userNow(), at: context.scheduler.now() });
      const releasing = releaseUncommitted();
      if (releasing === undefined) return KICKED.out$;
      // Released or not (the failure is the store's to report), the session ends.
      const settled = releasing.then(
        () => undefined,
        () => undefined,
      );
      return from(settled).pipe(concatMap(() => KICKED.out$));
    }),
  );
  return session$.pipe(finalize(() => void releaseUncommitted()));
}

