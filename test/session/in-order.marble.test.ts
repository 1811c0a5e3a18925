import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { inOrder } from '../../src/session/in-order.js';
import { testScheduler } from '../support/test-scheduler.js';

describe('inOrder', () => {
  it('runs each value inner stream after the previous one completes, in order, and completes after the last', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const a$ = cold('-a-a|');
      const b$ = cold('b|');
      const c$ = cold('--c|');
      const inner: Record<string, typeof a$> = { a: a$, b: b$, c: c$ };
      const source$ = hot('-abc---|');
      expectObservable(source$.pipe(inOrder((key: string) => inner[key]!))).toBe('--a-ab--c|');
      expectSubscriptions(a$.subscriptions).toBe('-^---!');
      expectSubscriptions(b$.subscriptions).toBe('-----^!');
      expectSubscriptions(c$.subscriptions).toBe('------^--!');
    });
  });

  it('passes errors on, from the source, from an inner stream and from the projection', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a#').pipe(inOrder(() => cold('x|')))).toBe('x#');
      expectObservable(cold('a-b|').pipe(inOrder(() => cold('-#')))).toBe('-#');
      expectObservable(
        cold('a|').pipe(
          inOrder(() => {
            throw new Error('boom');
          }),
        ),
      ).toBe('#', undefined, new Error('boom'));
    });
  });

  it('unsubscribing ends the running inner stream and drops the waiting values', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const inner$ = cold('--x--x|');
      const source$ = hot('ab');
      expectObservable(source$.pipe(inOrder(() => inner$)), '^---!').toBe('--x-');
      expectSubscriptions(inner$.subscriptions).toBe('^---!');
      expectSubscriptions(source$.subscriptions).toBe('^---!');
    });
  });

  it('behaves as concatMap on values that arrive while an inner stream runs', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const source$ = hot('ab-c-d|');
      const project = (v: string) => cold('-v-v|', { v });
      expectObservable(source$.pipe(inOrder(project))).toBe('-a-a-b-b-c-c-d-d|');
    });
  });

  it('tells of each value as it arrives, before it waits for its turn', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const arrivals: [string, number][] = [];
      const out$ = hot('ab|').pipe(inOrder((v: string) => cold('---v|', { v }), { arrived: (v) => arrivals.push([v, ts.now()]) }));
      expectObservable(out$).toBe('---a---b|');
      ts.flush();
      expect(arrivals).toEqual([
        ['a', 0],
        ['b', 1],
      ]);
    });
  });

  it('ends after the last output: passes it on, completes, drops the waiting values and unsubscribes', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source$ = hot('abc-d');
      const inner$ = cold('-v-w|', { v: 'v', w: 'w' });
      expectObservable(source$.pipe(inOrder(() => inner$, { isLast: (out) => out === 'w' }))).toBe('-v-(w|)');
      expectSubscriptions(source$.subscriptions).toBe('^--!');
      expectSubscriptions(inner$.subscriptions).toBe('^--!');
    });
  });

  it('passes a plain value on at once, in turn with the streams before and after it', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      // `s` maps to a stream that completes a frame after its value; every other value to its capital, plain.
      const project = (v: string) => (v === 's' ? cold('--s|') : v.toUpperCase());
      expectObservable(hot('a-sbc----d|').pipe(inOrder(project))).toBe('A---s(BC)D|');
    });
  });

  it('drains a backlog of plain values in order, and ends on a plain last value', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source$ = hot('sabcd');
      const project = (v: string) => (v === 's' ? cold('---s|') : v);
      expectObservable(source$.pipe(inOrder(project, { isLast: (out) => out === 'c' }))).toBe('---s(abc|)');
      expectSubscriptions(source$.subscriptions).toBe('^---!');
    });
  });

  it('completes after the plain values when the source completes while a stream runs', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const project = (v: string) => (v === 's' ? cold('---s|') : v);
      expectObservable(hot('sa|').pipe(inOrder(project))).toBe('---s(a|)');
    });
  });

  it('keeps the stack flat over a long backlog of plain values', () => {
    const values: number[] = [];
    const backlog = Array.from({ length: 20_000 }, (_, i) => i);
    // A first value that waits, so that every other one queues behind it.
    let release: () => void = () => undefined;
    const source$ = new Observable<number>((subscriber) => {
      for (const value of [-1, ...backlog]) subscriber.next(value);
      subscriber.complete();
    });
    const project = (v: number) => (v === -1 ? new Observable<number>((inner) => void (release = () => inner.complete())) : v);
    let completed = false;
    source$.pipe(inOrder(project)).subscribe({ next: (v) => values.push(v), complete: () => (completed = true) });
    release();
    expect(values).toEqual(backlog);
    expect(completed).toBe(true);
  });
});

