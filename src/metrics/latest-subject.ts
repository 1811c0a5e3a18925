import { Subject, type Observer, type SubjectLike, type Unsubscribable } from 'rxjs';

/**
 * ReplaySubject(1) without its buffer: the last value, given to each new subscriber as it subscribes, then
 * every later value. rxjs's ReplaySubject pushes each value onto an array and trims it with splice, a new
 * array per value; the metrics feed passes one value per event, a few hundred per POP3 session.
 */
export function latestSubject<T>(): SubjectLike<T> {
  const subject = new Subject<T>();
  let latest: { value: T } | undefined;
  let ended = false;
  return {
    next(value: T) {
      if (ended) return;
      if (latest === undefined) latest = { value };
      else latest.value = value;
      subject.next(value);
    },
    error(error: unknown) {
      ended = true;
      subject.error(error);
    },
    complete() {
      ended = true;
      subject.complete();
    },
    subscribe(observer: Partial<Observer<T>>): Unsubscribable {
      // As ReplaySubject does: the last value first, also after the end (which then follows it).
      if (ended) {
        if (latest !== undefined) observer.next?.(latest.value);
        return subject.subscribe(observer);
      }
      const subscription = subject.subscribe(observer);
      if (latest !== undefined && !subscription.closed) observer.next?.(latest.value);
      return subscription;
    },
  };
}
