import { config, Subject, take, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { FanOut } from '../../src/events/fan-out.js';

interface Hot<T> {
  readonly observable: Observable<T>;
  next(value: T): void;
  complete(): void;
}

/** Subscribers that leave and join during deliveries; what each saw. */
function script(hot: Hot<number>): Record<string, string[]> {
  const seen: Record<string, string[]> = { once: [], all: [], late: [], after: [] };
  const log = (name: string) => ({ next: (value: number) => seen[name]!.push(String(value)), complete: () => seen[name]!.push('complete') });
  hot.observable.pipe(take(1)).subscribe(log('once'));
  let joined = false;
  hot.observable.subscribe({
    next: (value) => {
      seen.all!.push(String(value));
      // Joins during a delivery: the value being delivered is not for it.
      if (!joined) hot.observable.subscribe(log('late'));
      joined = true;
    },
    complete: () => seen.all!.push('complete'),
  });
  hot.next(1);
  hot.next(2);
  hot.complete();
  hot.observable.subscribe(log('after'));
  return seen;
}

describe('FanOut', () => {
  it('delivers as an rxjs Subject does when subscribers leave or join during a delivery', () => {
    const subject = new Subject<number>();
    const fromSubject = script({ observable: subject.asObservable(), next: (v) => subject.next(v), complete: () => subject.complete() });
    const fanOut = new FanOut<number>();
    expect(script(fanOut)).toEqual({ ...fromSubject, after: [] });
    expect(fromSubject).toMatchObject({ once: ['1', 'complete'], all: ['1', '2', 'complete'], late: ['2', 'complete'] });
  });

  it('stops delivering to a subscriber that unsubscribed', () => {
    const fanOut = new FanOut<string>();
    const seen: string[] = [];
    const subscription = fanOut.observable.subscribe((value) => seen.push(value));
    fanOut.next('a');
    subscription.unsubscribe();
    fanOut.next('b');
    expect(seen).toEqual(['a']);
  });

  it('keeps delivering to the others when one subscriber throws (rxjs reports the error as unhandled)', async () => {
    const fanOut = new FanOut<number>();
    const seen: number[] = [];
    const unhandled: unknown[] = [];
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      fanOut.observable.subscribe(() => {
        throw new Error('bad');
      });
      fanOut.observable.subscribe((value) => seen.push(value));
      fanOut.next(1);
      await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
      config.onUnhandledError = null;
    }
    expect(seen).toEqual([1]);
    expect(unhandled).toHaveLength(1);
  });
});
