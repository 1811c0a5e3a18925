import { BehaviorSubject, defer, distinctUntilChanged, finalize, map, type Observable } from 'rxjs';

export interface Watched<T> {
  /** The source, unchanged, but for the count of who subscribes to it. */
  readonly stream$: Observable<T>;
  /** Whether anyone subscribes to `stream$`: now, on subscribing, then at each change. */
  readonly watched$: Observable<boolean>;
}

/**
 * A stream that says when it is watched, so that whoever feeds it can do the costly part only then (a
 * cluster's workers send their events one by one only while a Push3 WATCH follows them).
 */
export function watched<T>(source$: Observable<T>): Watched<T> {
  const subscribers = new BehaviorSubject(0);
  const stream$ = defer(() => {
    subscribers.next(subscribers.value + 1);
    return source$.pipe(finalize(() => subscribers.next(subscribers.value - 1)));
  });
  return {
    stream$,
    watched$: subscribers.pipe(
      map((count) => count > 0),
      distinctUntilChanged(),
    ),
  };
}
