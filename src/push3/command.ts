import type * as Kernel from '../session/command.js';
import type { Push3Context } from './context.js';
import type { Reply } from './replies.js';
import type { Phase, Push3State } from './state.js';

/** The result of one Push3 command: the next state and its one reply line. */
export type Transition = Kernel.Transition<Push3State, Reply>;

/** One Push3 command (see session/command.ts), with its line for HELP, e.g. `LOGIN <user> <pass>`. */
export type CommandSpec<P extends Phase = Phase, A = never> = Kernel.CommandSpec<Push3State, Push3Context, Reply, P, A> & {
  readonly usage: string;
};

/** Keeps each step's state and argument types precise while the table holds them all. */
export const defineCommand = <P extends Phase, A>(spec: CommandSpec<P, A>): CommandSpec =>
  spec as unknown as CommandSpec;
