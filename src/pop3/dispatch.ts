import { ENDLESS_LINE_REPLY, type InputLine } from '../net/lines.js';
import { dispatcher } from '../session/dispatch.js';
import type { Outcome } from '../session/command.js';
import type { Transition } from './command.js';
import { commandTable } from './commands/index.js';
import type { SessionContext } from './context.js';
import { startTiming } from './latency.js';
import { parseLine } from './parse.js';
import { err, withSent } from './replies.js';
import { continueSasl } from './sasl/exchange.js';
import { idle, type SessionState } from './state.js';

/**
 * POP3 on the session kernel: `-ERR` replies, `-ERR [SYS/TEMP]` for a step that fails, and a `latency` event
 * once each command's reply has been sent in full.
 */
const pop3 = dispatcher<SessionState, SessionContext, Transition['reply']>({
  protocol: 'pop3',
  table: commandTable,
  refuse: (text) => err(text),
  failed: (verb) => err(`${verb} failed`, 'SYS/TEMP'),
  afterFailure: (state) => (state.phase === 'authorization' ? idle(state) : state),
  isOk: (reply) => reply.ok,
  userOf: (state) => ('user' in state ? state.user : undefined),
  started: (verb, user, context) => {
    const timed = startTiming(context, 'command', { verb, user });
    return ({ state, reply }) => ({ state, reply: withSent(reply, timed) });
  },
});

const ENDLESS = err(ENDLESS_LINE_REPLY);

/**
 * One step of a POP3 session. The line after AUTH's `+ ` is a SASL response, not a command. An endless line
 * is the input's last: answered in turn, it leaves the state as it is (no UPDATE).
 */
export function step(state: SessionState, input: InputLine, context: SessionContext): Outcome<Transition> {
  if (input.kind === 'endless') return { state, reply: ENDLESS };
  if (state.phase === 'authorization' && state.awaiting?.kind === 'sasl-response') {
    const { mechanism } = state.awaiting;
    return pop3.guarded('AUTH', state, context, () => continueSasl(mechanism, input, state, context));
  }
  return pop3.dispatch(state, parseLine(input), context);
}
