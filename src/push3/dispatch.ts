import { isObservable, mergeMap, of, type Observable } from 'rxjs';
import { ENDLESS_LINE_REPLY, type InputLine } from '../net/lines.js';
import type { Outcome } from '../session/command.js';
import { dispatcher } from '../session/dispatch.js';
import type { Transition } from './command.js';
import { commandTable } from './commands/index.js';
import type { Push3Context } from './context.js';
import { parseLine } from './parse.js';
import { fail } from './replies.js';
import type { Push3State } from './state.js';

const REVOKED = fail('Admin rights withdrawn; closing the connection');
/** An endless line is the input's last: answered, then the session ends. */
const ENDLESS: Transition = { state: { phase: 'closed' }, reply: fail(ENDLESS_LINE_REPLY) };

/** Push3 on the session kernel: `->FAIL:` replies, and `->FAIL: <verb> failed` for a step that fails. */
const push3 = dispatcher<Push3State, Push3Context, Transition['reply']>({
  protocol: 'push3',
  table: commandTable,
  refuse: fail,
  failed: (verb) => fail(`${verb} failed`),
  afterFailure: (state) => state,
  isOk: (reply) => reply.ok,
  userOf: (state) => (state.phase === 'transaction' ? state.user : undefined),
});

/**
 * One step of a Push3 session. After LOGIN, every line first checks that the admin still has the powers
 * they logged in with; one who lost them gets a last `->FAIL:` and the session ends. Otherwise the line is
 * the kernel dispatcher's.
 */
export function step(state: Push3State, input: InputLine, context: Push3Context): Outcome<Transition> {
  if (input.kind === 'endless') return ENDLESS;
  const line = parseLine(input);
  if (state.phase !== 'transaction') return push3.dispatch(state, line, context);
  return context.authority(state.user).pipe(
    mergeMap((grant): Observable<Transition> => {
      if (grant === state.grant) return asObservable(push3.dispatch(state, line, context));
      const { id } = context.connection;
      context.emit({ type: 'admin-revoked', connection: id, user: state.user, at: context.scheduler.now() });
      return of({ state: { phase: 'closed' }, reply: REVOKED });
    }),
  );
}

const asObservable = <T>(outcome: Outcome<T>): Observable<T> => (isObservable(outcome) ? outcome : of(outcome));
