import type { Observable } from 'rxjs';
import type { ArgumentSpec } from './arguments.js';

/** The result of one command: the next state and the reply that goes out for it. */
export interface Transition<S, R> {
  readonly state: S;
  readonly reply: R;
}

/**
 * What a step gives back: a plain value when it is synchronous (most commands, and the cheap case), a
 * stream of one transition when it waits on a port (a password check, the maildrop lock).
 */
export type Outcome<T> = T | Observable<T>;

/** Any protocol's state: a tagged union whose `phase` says which commands are valid. */
export interface Phased {
  readonly phase: string;
}

/**
 * One command of either protocol: the phases it is valid in, how its arguments are parsed, and its step.
 * The dispatcher enforces phase, arity and argument syntax for every command, so a step only sees valid,
 * typed input, in a state of one of its phases.
 */
export interface CommandSpec<S extends Phased, C, R, P extends S['phase'] = S['phase'], A = unknown> {
  readonly verb: string;
  readonly phases: readonly P[];
  readonly args: ArgumentSpec<A>;
  run(state: Extract<S, { phase: P }>, args: A, context: C): Outcome<Transition<S, R>>;
}

/** A command as the table holds it: its phase and argument types erased (each was checked where it was defined). */
export type AnyCommand<S extends Phased, C, R> = CommandSpec<S, C, R, S['phase'], never>;

/** Commands by verb; a protocol's table is built once from its command modules. */
export const commandTable = <K extends { readonly verb: string }>(specs: readonly K[]): ReadonlyMap<string, K> =>
  new Map(specs.map((spec) => [spec.verb, spec]));
