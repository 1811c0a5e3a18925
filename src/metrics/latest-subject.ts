import { Observable, type Observer, type SubjectLike, type Unsubscribable } from 'rxjs';
import { FanOut } from '../events/fan-out.js';

type Ending = { readonly kind: 'error'; readonly error: unknown } | { readonly kind: 'complete' };

/**
 * ReplaySubject(1) without its buffer: the last value, given to each new subscriber as it subscribes, then
 * every later value. rxjs's ReplaySubject pushes each value onto an array and trims it with splice, and its
 * Subject.next allocates per value (fan-out.ts); the metrics feed passes one value per event.
 */
export function latestSubject<T>(): SubjectLike<T> {
  const fanOut = new FanOut<T>();
  let latest: { value: T } | undefined;
  let ending: Ending | undefined;
  // As ReplaySubject does: the last value first, also after the end (which then follows it).
  const replayed$ = new Observable<T>((subscriber) => {
    const subscription = ending === undefined ? fanOut.observable.subscribe(subscriber) : undefined;
    if (latest !== undefined && !subscriber.closed) subscriber.next(latest.value);
    if (ending?.kind === 'error') subscriber.error(ending.error);
    else if (ending?.kind === 'complete') subscriber.complete();
    return subscription;
  });
  return {
    next(value: T) {
      if (ending !== undefined) return;
      if (latest === undefined) latest = { value };
      else latest.value = value;
      fanOut.next(value);
    },
    error(error: unknown) {
      if (ending !== undefined) return;
      ending = { kind: 'error', error };
      fanOut.error(error);
    },
    complete() {
      if (ending !== undefined) return;
      ending = { kind: 'complete' };
      fanOut.complete();
    },
    subscribe: (observer: Partial<Observer<T>>): Unsubscribable => replayed$.subscribe(observer),
  };
}
