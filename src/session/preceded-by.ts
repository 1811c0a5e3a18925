import { Observable } from 'rxjs';

/**
 * `first`, then everything `rest$` sends: `concat(of(first), rest$)` without concat's inner-subscription
 * machinery, which would otherwise stay alive for the whole (possibly idle) session.
 */
export function precededBy<T>(first: T, rest$: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    subscriber.next(first);
    return subscriber.closed ? undefined : rest$.subscribe(subscriber);
  });
}
