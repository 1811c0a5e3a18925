import type { Outcome } from '../session/command.js';
import { dispatcher } from '../session/dispatch.js';
import type { Transition } from './command.js';
import { commandTable } from './commands/index.js';
import type { Push3Context } from './context.js';
import type { ParsedLine } from './parse.js';
import { fail } from './replies.js';
import type { Push3State } from './state.js';

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

/** One step of a Push3 session: (state, parsed line) -> the transition, or a stream of it. */
export const step = (state: Push3State, line: ParsedLine, context: Push3Context): Outcome<Transition> =>
  push3.dispatch(state, line, context);
