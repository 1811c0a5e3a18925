import { map, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * `tap(next)` for long-lived streams: runs `next` on each value and passes it on. rxjs's `tap` keeps a
 * subscriber with five closures for its full observer (subscribe, unsubscribe, finalize...); this keeps
 * one. A session holds its operators for as long as the client stays connected, thousands at a time.
 */
export function onEach<T>(next: (value: T) => void): MonoTypeOperatorFunction<T> {
  return map((value) => {
    next(value);
    return value;
  });
}
