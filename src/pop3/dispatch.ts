import { isObservable, map, Observable, of, tap } from 'rxjs';
import type { Transition } from './command.js';
import { commandTable } from './commands/index.js';
import type { SessionContext } from './context.js';
import type { CommandLine } from '../net/lines.js';
import { startTiming } from './latency.js';
import { parseLine } from './parse.js';
import { continueSasl } from './sasl/exchange.js';
import { err } from './replies.js';
import type { SessionState } from './state.js';

/**
 * One step of a session: (state, parsed line) -> transitions. Unknown commands, wrong states and
 * wrong argument counts are answered here, once for all commands; the session always continues.
 */
export function step(state: SessionState, input: CommandLine, context: SessionContext): Observable<Transition> {
  if (state.phase === 'authorization' && state.awaiting?.kind === 'sasl-response') {
    return report(continueSasl(state.awaiting.mechanism, input, state, context), 'AUTH', state, context);
  }
  const line = parseLine(input);
  const stay = (text: string): Observable<Transition> => of({ state, reply: err(text) });
  if (line.kind === 'invalid') return report(stay(line.reason), 'INVALID', state, context);
  const spec = commandTable.get(line.verb);
  if (spec === undefined) return report(stay('Unknown command'), 'UNKNOWN', state, context);
  let result: Observable<Transition>;
  if (!spec.phases.includes(state.phase)) result = stay(`${spec.verb} is not valid in this state`);
  else if (line.args.length < spec.args.min) result = stay(`${spec.verb}: missing argument`);
  else if (line.args.length > spec.args.max) result = stay(`${spec.verb}: too many arguments`);
  else {
    const outcome = spec.run(state as never, { args: line.args, rest: line.rest }, context);
    result = isObservable(outcome) ? outcome : of(outcome);
  }
  return report(result, spec.verb, state, context);
}

/**
 * Every handled command becomes one `command` event (the source of per-verb metrics and logs), and one
 * `latency` event once its reply has been sent in full.
 */
function report(
  transitions: Observable<Transition>,
  verb: string,
  before: SessionState,
  context: SessionContext,
): Observable<Transition> {
  const user = 'user' in before ? before.user : undefined;
  const timed = startTiming(context, 'command', { verb, user });
  return transitions.pipe(
    map((transition): Transition => {
      context.emit({
        type: 'command',
        protocol: 'pop3',
        connection: context.connection.id,
        verb,
        ok: transition.reply.ok,
        user,
        at: context.scheduler.now(),
      });
      const { reply } = transition;
      return { ...transition, reply: { ...reply, out$: reply.out$.pipe(tap({ complete: timed })) } };
    }),
  );
}
