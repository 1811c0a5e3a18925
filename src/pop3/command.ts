import type * as Kernel from '../session/command.js';
import type { SessionContext } from './context.js';
import type { Reply } from './replies.js';
import type { Phase, SessionState } from './state.js';

/** The result of one POP3 command: the next state and the reply that goes out for it. */
export type Transition = Kernel.Transition<SessionState, Reply>;

/** One POP3 command (see session/command.ts): its phases, its typed arguments and its step. */
export type CommandSpec<P extends Phase = Phase, A = never> = Kernel.CommandSpec<SessionState, SessionContext, Reply, P, A>;

/** Keeps each step's state and argument types precise while the table holds them all. */
export const defineCommand = <P extends Phase, A>(spec: CommandSpec<P, A>): CommandSpec =>
  spec as unknown as CommandSpec;
