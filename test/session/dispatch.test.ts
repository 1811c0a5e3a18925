import { isObservable, of, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import { argumentSpec, Invalid, noArguments, oneWord } from '../../src/session/arguments.js';
import { commandTable, type AnyCommand, type CommandSpec, type Outcome, type Transition } from '../../src/session/command.js';
import { dispatcher, type KernelContext } from '../../src/session/dispatch.js';
import type { ParsedLine } from '../../src/session/parsed-line.js';

/** A toy protocol on the kernel: two phases, replies as text. */
type State = { readonly phase: 'out' } | { readonly phase: 'in'; readonly user: string };
type Step = Transition<State, string>;
const define = <P extends State['phase'], A>(spec: CommandSpec<State, KernelContext, string, P, A>) =>
  spec as unknown as AnyCommand<State, KernelContext, string>;

const table = commandTable([
  define({ verb: 'HI', phases: ['out'], args: oneWord, run: (_state, user) => ({ state: { phase: 'in', user }, reply: `ok hi ${user}` }) }),
  define({
    verb: 'ADD',
    phases: ['in'],
    args: argumentSpec(2, 2, ([a = '', b = '']) => (/^\d+$/.test(a + b) ? [Number(a), Number(b)] as const : new Invalid('not numbers'))),
    run: (state, [a, b]) => ({ state, reply: `ok ${a + b}` }),
  }),
  define({ verb: 'LATER', phases: ['out', 'in'], args: noArguments, run: (state) => of({ state, reply: 'ok later' }) }),
  define({ verb: 'BOOM', phases: ['out', 'in'], args: noArguments, run: () => { throw new Error('thrown'); } }),
  define({ verb: 'FIZZLE', phases: ['out', 'in'], args: noArguments, run: () => throwError(() => new Error('errored')) }),
]);

const toy = dispatcher<State, KernelContext, string>({
  protocol: 'push3',
  table,
  refuse: (text) => `no ${text}`,
  failed: (verb) => `no ${verb} failed`,
  afterFailure: (state) => state,
  isOk: (reply) => reply.startsWith('ok'),
  userOf: (state) => (state.phase === 'in' ? state.user : undefined),
});

function setup() {
  const events: ServerEvent[] = [];
  const context: KernelContext = { emit: (event) => events.push(event), scheduler: { now: () => 7 } as never, connection: { id: 'c1' } };
  const line = (text: string): ParsedLine => {
    const [verb = '', ...args] = text.split(' ');
    return { kind: 'command', verb, args };
  };
  const valueOf = (outcome: Outcome<Step>): Step => {
    if (!isObservable(outcome)) return outcome;
    let result: Step | undefined;
    (outcome as Observable<Step>).subscribe((value) => (result = value));
    return result!;
  };
  return { events, context, line, valueOf };
}

describe('the session kernel dispatcher', () => {
  it('answers a synchronous step with a plain value, not a stream', () => {
    const { context, line } = setup();
    const outcome = toy.dispatch({ phase: 'out' }, line('HI ann'), context);
    expect(isObservable(outcome)).toBe(false);
    expect(outcome).toEqual({ state: { phase: 'in', user: 'ann' }, reply: 'ok hi ann' });
  });

  it('refuses wrong phases, wrong counts and malformed arguments before any step runs, and names the command', () => {
    const { context, line, valueOf } = setup();
    const out = { phase: 'out' } as const;
    const inside = { phase: 'in', user: 'ann' } as const;
    expect(valueOf(toy.dispatch(out, line('ADD 1 2'), context)).reply).toBe('no ADD is not valid in this state');
    expect(valueOf(toy.dispatch(inside, line('ADD 1'), context)).reply).toBe('no ADD takes 2 arguments');
    expect(valueOf(toy.dispatch(out, line('HI'), context)).reply).toBe('no HI takes 1 argument');
    expect(valueOf(toy.dispatch(out, line('LATER x'), context)).reply).toBe('no LATER takes 0 arguments');
    expect(valueOf(toy.dispatch(inside, line('ADD 1 x'), context)).reply).toBe('no not numbers');
    expect(valueOf(toy.dispatch(inside, line('ADD 1 2'), context)).reply).toBe('ok 3');
    expect(valueOf(toy.dispatch(out, line('NOPE'), context)).reply).toBe('no Unknown command');
    expect(valueOf(toy.dispatch(out, { kind: 'invalid', reason: 'Empty command' }, context)).reply).toBe('no Empty command');
  });

  it('makes a step that throws or errors one negative reply and one error event; the state stays', () => {
    const { context, line, valueOf, events } = setup();
    const inside = { phase: 'in', user: 'ann' } as const;
    expect(valueOf(toy.dispatch(inside, line('BOOM'), context))).toEqual({ state: inside, reply: 'no BOOM failed' });
    expect(valueOf(toy.dispatch(inside, line('FIZZLE'), context))).toEqual({ state: inside, reply: 'no FIZZLE failed' });
    expect(events.filter((event) => event.type === 'error')).toEqual([
      { type: 'error', protocol: 'push3', connection: 'c1', message: 'thrown', at: 7 },
      { type: 'error', protocol: 'push3', connection: 'c1', message: 'errored', at: 7 },
    ]);
  });

  it('turns every line handled into exactly one command event', () => {
    const { context, line, valueOf, events } = setup();
    const inside = { phase: 'in', user: 'ann' } as const;
    for (const text of ['LATER', 'ADD 1', 'NOPE', 'BOOM']) valueOf(toy.dispatch(inside, line(text), context));
    valueOf(toy.dispatch(inside, { kind: 'invalid', reason: 'x' }, context));
    expect(events.filter((event) => event.type === 'command').map((event) => [event.verb, event.ok, event.user])).toEqual([
      ['LATER', true, 'ann'],
      ['ADD', false, 'ann'],
      ['UNKNOWN', false, 'ann'],
      ['BOOM', false, 'ann'],
      ['INVALID', false, 'ann'],
    ]);
  });
});
