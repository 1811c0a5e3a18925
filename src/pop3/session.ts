import { concat, defer, finalize, from, map, Observable, of, type SchedulerLike } from 'rxjs';
import type { Outbound, ServedConnection, SessionFactory, SessionOutput, StartTls } from '../net/connection.js';
import type { Outcome } from '../session/command.js';
import type { InputLine } from '../net/lines.js';
import { flatString } from '../process/flat-string.js';
import { inOrderBy, type InOrderHandler } from '../session/in-order.js';
import { runSession, type SessionMachine } from '../session/run-session.js';
import type { Transition } from './command.js';
import type { Pop3Service, SessionContext } from './context.js';
import { step } from './dispatch.js';
import type { KickTarget } from './kick.js';
import { err, type InstantReply, type StreamedReply } from './replies.js';
import { initialState, type Authorization, type SessionState } from './state.js';

const AUTOLOGOUT = err('Disconnected for inactivity');
const KICKED = err('Closed by the administrator', 'SYS/TEMP');
/** Unanswered pipelined commands a session accepts before it stops reading more. */
const BACKLOG_LIMIT = 64;

/**
 * A POP3 connection: the greeting, then a session. Its APOP timestamp is unique per connection: the
 * connection id is 48 random bits, and the clock is added as RFC 1939 suggests.
 */
export function pop3Session(service: Pop3Service): SessionFactory<ServedConnection> {
  return (lines$, connection) =>
    defer(() => {
      // Kept for the whole session: flat rather than a tree of pieces.
      const timestamp = flatString(`<${connection.id}.${service.scheduler.now()}@${service.hostname}>`);
      return runPop3Session(service, lines$, connection, timestamp, initialState, true);
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
    resume: (lines$, connection) => defer(() => runPop3Session(service, lines$, connection, timestamp, opening, false)),
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
  greets: boolean,
): Observable<SessionOutput> {
  // The service's fields through the prototype: a spread copy per session would also get its own hidden class.
  const context: SessionContext = Object.assign(Object.create(service) as Pop3Service, {
    connection,
    timestamp,
    plaintextAuth: service.plaintextAuthAllowed(connection),
  });
  const session = new Pop3Session(service, context, opening, greets);
  return runSession<SessionState, Transition, InputLine, SessionOutput>(lines$, session).pipe(
    // The lock is free before the client reads the farewell, so it can log in again at once.
    context.controls.endWhenKicked<SessionOutput>(connection.id, session),
    finalize(() => void session.releaseUncommitted()),
  );
}

/**
 * One POP3 session's own state beside the folded one, and what the kernel, the reply queue and the kick
 * control call on it: methods of one object rather than a dozen closures over shared variables, as a
 * server keeps thousands of idle sessions.
 */
class Pop3Session
  implements SessionMachine<SessionState, Transition, InputLine, SessionOutput>, InOrderHandler<Transition, SessionOutput>, KickTarget<SessionOutput>
{
  readonly scheduler: SchedulerLike;
  #current: SessionState;
  /** Whether QUIT's reply has started the commit, which then owns the maildrop. */
  #committing = false;
  #released = false;
  /** Lines received and not yet answered; past BACKLOG_LIMIT the net layer stops reading input. */
  #backlog = 0;
  #held = false;
  readonly #greets: boolean;

  constructor(
    /** What a session after STLS starts from again. */
    readonly service: Pop3Service,
    readonly context: SessionContext,
    readonly initial: SessionState,
    greets: boolean,
  ) {
    this.scheduler = context.scheduler;
    this.#current = initial;
    this.#greets = greets;
  }

  /** Read once, when the session starts: made then rather than kept for the session's life. */
  get greeting(): string | undefined {
    return this.#greets ? `+OK POP3 server ready ${this.context.timestamp}\r\n` : undefined;
  }

  step(state: SessionState, line: InputLine): Outcome<Transition> {
    return step(state, line, this.context);
  }

  isFinal(state: SessionState): boolean {
    return state.phase !== 'authorization' && state.phase !== 'transaction';
  }

  silenceAllowedMs(state: SessionState): number {
    return state.phase === 'authorization' ? this.context.loginTimeoutMs() : this.context.idleTimeoutMs();
  }

  onSilence(): Observable<SessionOutput> {
    const { context } = this;
    context.emit({ type: 'timeout', protocol: 'pop3', connection: context.connection.id, at: context.scheduler.now() });
    return of(AUTOLOGOUT.wire);
  }

  onLine(): void {
    this.#adjustBacklog(1);
  }

  onTransition(transition: Transition): void {
    this.#current = transition.state;
  }

  /** Each transition's reply when its turn comes. */
  output(transitions$: Observable<Transition>): Observable<SessionOutput> {
    return transitions$.pipe(inOrderBy<Transition, SessionOutput>(this));
  }

  /** A transition's reply: an instant one as the string itself, no stream. */
  project({ state, reply }: Transition): Outcome<SessionOutput> {
    // From here the commit owns the maildrop (it releases the lock when done).
    if (state.phase === 'update') this.#committing = true;
    if (state.phase === 'starting-tls') {
      const answer$ = 'wire' in reply ? of(this.#answerNow(reply)) : this.#streamedAnswer(reply);
      return concat(answer$, of(afterStartTls(this.service, this.context.timestamp, state.failures)));
    }
    return 'wire' in reply ? this.#answerNow(reply) : this.#streamedAnswer(reply);
  }

  userNow(): string | undefined {
    return 'user' in this.#current ? this.#current.user : undefined;
  }

  onKick(): Observable<SessionOutput> {
    const { context } = this;
    context.emit({ type: 'kicked', connection: context.connection.id, user: this.userNow(), at: context.scheduler.now() });
    const releasing = this.releaseUncommitted();
    if (releasing === undefined) return of(KICKED.wire);
    // Released or not (the failure is the store's to report), the session ends.
    const settled = releasing.then(
      () => undefined,
      () => undefined,
    );
    return from(settled).pipe(map(() => KICKED.wire));
  }

  /**
   * Gone before QUIT's turn came (or without QUIT): no UPDATE, the lock is released, once. Undefined when
   * there was nothing to release.
   */
  releaseUncommitted(): Promise<void> | undefined {
    const current = this.#current;
    if (this.#released || !(current.phase === 'transaction' || (current.phase === 'update' && !this.#committing))) return undefined;
    this.#released = true;
    return current.maildrop.release();
  }

  #adjustBacklog(delta: number): void {
    this.#backlog += delta;
    if (this.#held !== this.#backlog >= BACKLOG_LIMIT) {
      this.#held = !this.#held;
      this.context.connection.holdInput?.(this.#held);
    }
  }

  /** An instant reply, handed to the socket as it is returned. */
  #answerNow({ wire, sent }: InstantReply): string {
    this.#adjustBacklog(-1);
    sent?.();
    return wire;
  }

  /** A streamed reply's octets; its backlog slot is freed however it ends. */
  #streamedAnswer({ wire$, sent }: StreamedReply): Observable<Outbound> {
    return new Observable<Outbound>((subscriber) => {
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
        this.#adjustBacklog(-1);
      };
    });
  }
}
