import type { Observable } from 'rxjs';
import type { SessionContext } from './context.js';
import type { Reply } from './replies.js';
import type { Phase, SessionState, StateIn } from './state.js';

/** The result of one command: the next state and the reply that goes out for it. */
export interface Transition {
  readonly state: SessionState;
  readonly reply: Reply;
}

export interface CommandInput {
  readonly args: readonly string[];
  readonly rest: string;
}

/**
 * One POP3 command: the states it is valid in, how many arguments it takes, and its step.
 * The dispatcher enforces state and arity for all commands, so a step only sees valid input.
 */
export interface CommandSpec<P extends Phase = Phase> {
  readonly verb: string;
  readonly phases: readonly P[];
  readonly args: { readonly min: number; readonly max: number };
  run(state: StateIn<P>, input: CommandInput, context: SessionContext): Transition | Observable<Transition>;
}

/** Keeps each step's state type precise while the table holds them all. */
export const defineCommand = <P extends Phase>(spec: CommandSpec<P>): CommandSpec =>
  spec as unknown as CommandSpec;
