import { catchError, defer, isObservable, map, mergeMap, of, type Observable } from 'rxjs';
import type { CommandSpec, Transition } from './command.js';
import { commandTable } from './commands/index.js';
import { reportError, type Push3Context } from './context.js';
import type { ParsedLine } from './parse.js';
import { fail } from './replies.js';
import type { Push3State } from './state.js';

const REVOKED = fail('Admin rights withdrawn; closing the connection');

/**
 * One step of a session: (state, parsed line) -> transitions. After LOGIN, every line first checks that
 * the admin still has the powers they logged in with; one who lost them gets a last `->FAIL:` and the
 * session ends. Otherwise invalid lines, unknown commands, wrong states and wrong argument counts are
 * answered here, once for all commands, and the session continues.
 */
export function step(state: Push3State, line: ParsedLine, context: Push3Context): Observable<Transition> {
  if (state.phase !== 'transaction') return answer(state, line, context);
  return context.authority(state.user).pipe(
    mergeMap((grant) => {
      if (grant === state.grant) return answer(state, line, context);
      const { id } = context.connection;
      context.emit({ type: 'admin-revoked', connection: id, user: state.user, at: context.scheduler.now() });
      return of<Transition>({ state: { phase: 'closed' }, reply: REVOKED });
    }),
  );
}

function answer(state: Push3State, line: ParsedLine, context: Push3Context): Observable<Transition> {
  const stay = (text: string): Observable<Transition> => of({ state, reply: fail(text) });
  if (line.kind === 'invalid') return report(stay(line.reason), 'INVALID', state, context);
  const spec = commandTable.get(line.verb);
  if (spec === undefined) return report(stay('Unknown command'), 'UNKNOWN', state, context);
  let result: Observable<Transition>;
  if (!spec.phases.includes(state.phase)) result = stay(`${spec.verb} is not valid in this state`);
  else if (line.args.length < spec.args.min || line.args.length > spec.args.max) result = stay(arityReason(spec));
  else result = run(spec, state, line.args, context);
  return report(result, spec.verb, state, context);
}

const arityReason = ({ verb, args: { min, max } }: CommandSpec): string => {
  const count = min === max ? `${min}` : `${min} to ${max}`;
  return `${verb} takes ${count} argument${count === '1' ? '' : 's'}`;
};

/**
 * Runs a valid command's step. `defer` turns a throw into an error notification, so a step that fails in any
 * way costs one `->FAIL:` line and an error event, never the connection.
 */
function run(
  spec: CommandSpec,
  state: Push3State,
  args: readonly string[],
  context: Push3Context,
): Observable<Transition> {
  return defer(() => {
    const outcome = spec.run(state as never, args, context);
    return isObservable(outcome) ? outcome : of(outcome);
  }).pipe(
    catchError((error: unknown) => {
      reportError(context, error);
      return of({ state, reply: fail(`${spec.verb} failed`) });
    }),
  );
}

/** Every handled line becomes one `command` event (for the log; Push3's commands are not POP3 metrics). */
function report(
  transitions: Observable<Transition>,
  verb: string,
  before: Push3State,
  context: Push3Context,
): Observable<Transition> {
  const user = before.phase === 'transaction' ? before.user : undefined;
  return transitions.pipe(
    map((transition) => {
      const { id } = context.connection;
      const at = context.scheduler.now();
      context.emit({ type: 'command', protocol: 'push3', connection: id, verb, ok: transition.reply.ok, user, at });
      return transition;
    }),
  );
}
