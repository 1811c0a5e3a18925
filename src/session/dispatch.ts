import { catchError, isObservable, map, of, type SchedulerLike } from 'rxjs';
import type { Protocol, ServerEvent } from '../events/server-events.js';
import { arityReason, Invalid } from './arguments.js';
import type { AnyCommand, Outcome, Phased, Transition } from './command.js';
import type { ParsedLine } from './parsed-line.js';

/** What the dispatcher needs of a session's context, whatever the protocol. */
export interface KernelContext {
  readonly emit: (event: ServerEvent) => void;
  readonly scheduler: SchedulerLike;
  readonly connection: { readonly id: string };
}

/** What a protocol brings to the dispatcher besides its commands: its replies and what its states say. */
export interface ProtocolRules<S extends Phased, C extends KernelContext, R> {
  readonly protocol: Protocol;
  readonly table: ReadonlyMap<string, AnyCommand<S, C, R>>;
  /** A negative reply to a line the dispatcher refuses; the state stays as it was. */
  readonly refuse: (text: string) => R;
  /** The reply to a step that failed unexpectedly (threw, or its stream errored). */
  readonly failed: (verb: string) => R;
  /** The state a failed step leaves behind (POP3 forgets a half-done login). */
  readonly afterFailure: (state: S) => S;
  readonly isOk: (reply: R) => boolean;
  /** Who is logged in, for the command event. */
  readonly userOf: (state: S) => string | undefined;
  /** Called as each line starts; its result finishes the transition (POP3 times the reply's delivery). */
  readonly started?: (verb: string, user: string | undefined, context: C) => (transition: Transition<S, R>) => Transition<S, R>;
}

export type Dispatcher<S, C, R> = {
  /** One step of a session: (state, parsed line) -> the transition, or a stream of it. */
  dispatch(state: S, line: ParsedLine, context: C): Outcome<Transition<S, R>>;
  /**
   * Runs `run` as the step of `verb` under the error policy, with its command event: for lines that are
   * not commands (a SASL response) but are answered like one.
   */
  guarded(verb: string, state: S, context: C, run: () => Outcome<Transition<S, R>>): Outcome<Transition<S, R>>;
};

/** An unexpected failure becomes an error event (the log and the `errors` metric), never a broken session. */
export function reportError(context: KernelContext, protocol: Protocol, error: unknown): void {
  const message = String((error as Error)?.message ?? error);
  context.emit({ type: 'error', protocol, connection: context.connection.id, message, at: context.scheduler.now() });
}

/**
 * The one dispatcher of both protocols. Invalid lines, unknown verbs, wrong phases, wrong argument counts
 * and malformed arguments are answered here; every line handled becomes one `command` event (the source of
 * per-verb metrics and logs); a step that throws or errors costs the client one negative reply and the
 * server one error event, and the session goes on. A synchronous step's transition stays a plain value.
 */
export function dispatcher<S extends Phased, C extends KernelContext, R>(rules: ProtocolRules<S, C, R>): Dispatcher<S, C, R> {
  const { table, refuse } = rules;
  const stay = (state: S, text: string): Transition<S, R> => ({ state, reply: refuse(text) });

  function guarded(verb: string, state: S, context: C, run: () => Outcome<Transition<S, R>>): Outcome<Transition<S, R>> {
    const user = rules.userOf(state);
    const finish = rules.started?.(verb, user, context);
    const settle = (transition: Transition<S, R>): Transition<S, R> => {
      const { id } = context.connection;
      const ok = rules.isOk(transition.reply);
      context.emit({ type: 'command', protocol: rules.protocol, connection: id, verb, ok, user, at: context.scheduler.now() });
      return finish === undefined ? transition : finish(transition);
    };
    const recover = (error: unknown): Transition<S, R> => {
      reportError(context, rules.protocol, error);
      return { state: rules.afterFailure(state), reply: rules.failed(verb) };
    };
    let outcome: Outcome<Transition<S, R>>;
    try {
      outcome = run();
    } catch (error) {
      return settle(recover(error));
    }
    if (!isObservable(outcome)) return settle(outcome);
    return outcome.pipe(
      catchError((error: unknown) => of(recover(error))),
      map(settle),
    );
  }

  function runCommand(spec: AnyCommand<S, C, R>, state: S, line: ParsedLine & { kind: 'command' }, context: C) {
    if (!(spec.phases as readonly string[]).includes(state.phase)) return stay(state, `${spec.verb} is not valid in this state`);
    const { args } = spec;
    if (line.args.length < args.min || line.args.length > args.max) return stay(state, arityReason(spec.verb, args));
    const parsed = args.parse(line.args, line.rest ?? line.args.join(' '));
    if (parsed instanceof Invalid) return stay(state, parsed.reason);
    // The table erased the step's types; the checks above are what they promised.
    return spec.run(state as never, parsed as never, context);
  }

  function dispatch(state: S, line: ParsedLine, context: C): Outcome<Transition<S, R>> {
    if (line.kind === 'invalid') return guarded('INVALID', state, context, () => stay(state, line.reason));
    const spec = table.get(line.verb);
    if (spec === undefined) return guarded('UNKNOWN', state, context, () => stay(state, 'Unknown command'));
    return guarded(spec.verb, state, context, () => runCommand(spec, state, line, context));
  }

  return { dispatch, guarded };
}
