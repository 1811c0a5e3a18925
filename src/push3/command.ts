import type { Observable } from 'rxjs';
import type { Push3Context } from './context.js';
import type { Reply } from './replies.js';
import type { Phase, Push3State, StateIn } from './state.js';

/** The result of one command: the next state and its one reply line. */
export interface Transition {
  readonly state: Push3State;
  readonly reply: Reply;
}

/**
 * One Push3 command: the states it is valid in, how many arguments it takes, and its step. The dispatcher
 * enforces state and arity for all commands, so a step only sees valid input.
 */
export interface CommandSpec<P extends Phase = Phase> {
  readonly verb: string;
  readonly phases: readonly P[];
  readonly args: { readonly min: number; readonly max: number };
  /** One line for HELP, e.g. `LOGIN <user> <pass>`. */
  readonly usage: string;
  run(state: StateIn<P>, args: readonly string[], context: Push3Context): Transition | Observable<Transition>;
}

/** Keeps each step's state type precise while the table holds them all. */
export const defineCommand = <P extends Phase>(spec: CommandSpec<P>): CommandSpec =>
  spec as unknown as CommandSpec;
