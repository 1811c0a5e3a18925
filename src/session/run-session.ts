import { isObservable, type Observable, type SchedulerLike } from 'rxjs';
import type { Outcome } from './command.js';
import { inOrderBy, type InOrderHandler } from './in-order.js';
import { onEach } from './on-each.js';
import { precededBy } from './preceded-by.js';
import { SilenceClock, type SilencePolicy } from './silence.js';

/** What a protocol brings to the session runner: its states, its step, its ends and its output. */
export interface SessionMachine<S, T extends { readonly state: S }, L, O> {
  readonly scheduler: SchedulerLike;
  /** Sent before anything else; none when a session resumes (after STLS). */
  readonly greeting?: O;
  readonly initial: S;
  readonly step: (state: S, line: L) => Outcome<T>;
  /** The last transition of a session (QUIT, FINISH, STLS accepted...): it is still answered. */
  readonly isFinal: (state: S) => boolean;
  /** Silence allowed in this state, read at each check (it may follow a live setting). */
  readonly silenceAllowedMs: (state: S) => number;
  /** What silence ends the session with. */
  readonly onSilence: () => Observable<O>;
  /** Each line as it arrives, before it is folded (POP3 counts its backlog). */
  readonly onLine?: () => void;
  /** Each transition as it is made, before its reply is sent. */
  readonly onTransition?: (transition: T) => void;
  /** The transitions made into output: their replies, in order, and whatever else the protocol sends. */
  readonly output: (transitions$: Observable<T>) => Observable<O>;
}

/**
 * One session of either protocol, as one stream: the greeting, then input lines folded in order through
 * the step (one at a time, so a pipelined command sees the previous one's effects), up to and including
 * the final transition. Neither a line in nor output out for the allowed silence ends it with the
 * protocol's farewell. One inactivity clock per session, touched by lines and by output. The machine's
 * functions are called as its methods, so a protocol may pass an object whose methods share its fields.
 */
export function runSession<S, T extends { readonly state: S }, L, O>(
  lines$: Observable<L>,
  machine: SessionMachine<S, T, L, O>,
): Observable<O> {
  const run = new SessionRun(machine);
  const session$ = run.silence.endAfterSilence()(machine.output(lines$.pipe(inOrderBy(run))));
  const { greeting } = machine;
  return greeting === undefined ? session$ : precededBy(greeting, session$);
}

/**
 * The kernel's part of one session: the state as of the last transition made, the handler that folds
 * lines into transitions in order, and the silence policy. One object for what would otherwise be half
 * a dozen closures and their contexts, kept for as long as the session (maybe idle) is open.
 */
class SessionRun<S, T extends { readonly state: S }, L, O> implements InOrderHandler<L, T>, SilencePolicy<O> {
  #current: S;
  readonly silence: SilenceClock<O>;

  constructor(readonly machine: SessionMachine<S, T, L, O>) {
    this.#current = machine.initial;
    this.silence = new SilenceClock(machine.scheduler, this);
  }

  /** The next step runs only once the previous transition has been made, so `#current` is its state. */
  project(line: L): Outcome<T> {
    const outcome = this.machine.step(this.#current, line);
    return isObservable(outcome) ? outcome.pipe(onEach((transition: T) => this.#made(transition))) : this.#made(outcome);
  }

  /** Each line is activity as it arrives. */
  arrived(): void {
    this.silence.touch();
    this.machine.onLine?.();
  }

  /** The final transition is the last. */
  isLast(transition: T): boolean {
    return this.machine.isFinal(transition.state);
  }

  allowanceMs(): number {
    return this.machine.silenceAllowedMs(this.#current);
  }

  onSilence(): Observable<O> {
    return this.machine.onSilence();
  }

  #made(transition: T): T {
    this.#current = transition.state;
    this.machine.onTransition?.(transition);
    return transition;
  }
}
