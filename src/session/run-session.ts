import { isObservable, type Observable, type SchedulerLike } from 'rxjs';
import type { Outcome } from './command.js';
import { inOrder } from './in-order.js';
import { onEach } from './on-each.js';
import { precededBy } from './preceded-by.js';
import { SilenceClock } from './silence.js';

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
 * protocol's farewell. One inactivity clock per session, touched by lines and by output.
 */
export function runSession<S, T extends { readonly state: S }, L, O>(
  lines$: Observable<L>,
  machine: SessionMachine<S, T, L, O>,
): Observable<O> {
  let current = machine.initial;
  const silence = new SilenceClock(machine.scheduler, () => machine.silenceAllowedMs(current));
  const made = (transition: T): T => {
    current = transition.state;
    machine.onTransition?.(transition);
    return transition;
  };
  const session$ = lines$.pipe(
    // The next step runs only once the previous transition has been made, so `current` is its state. Each
    // line is activity as it arrives; the final transition is the last.
    inOrder(
      (line: L): Outcome<T> => {
        const outcome = machine.step(current, line);
        return isObservable(outcome) ? outcome.pipe(onEach(made)) : made(outcome);
      },
      {
        arrived: () => {
          silence.touch();
          machine.onLine?.();
        },
        isLast: (transition) => machine.isFinal(transition.state),
      },
    ),
    machine.output,
    silence.endAfter(machine.onSilence),
  );
  return machine.greeting === undefined ? session$ : precededBy(machine.greeting, session$);
}

