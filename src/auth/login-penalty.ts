import { from, map, of, switchMap, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { LoginThrottle } from './throttle.js';

/**
 * The answer to a failed login, held back by the address's penalty on the session's scheduler: that session
 * waits, the event loop and other clients do not, and tests wait in virtual time. Both protocols share one
 * throttle, so an address pays for failures on either.
 */
export function afterPenalty<T>(
  throttle: LoginThrottle,
  address: string,
  scheduler: SchedulerLike,
  answer: T,
): Observable<T> {
  const held = (holdMs: number): Observable<T> => (holdMs > 0 ? timer(holdMs, scheduler).pipe(map(() => answer)) : of(answer));
  const penalty = throttle.failed(address);
  // A number is known here and now (virtual time reaches it); a promise comes from the cluster's primary.
  return typeof penalty === 'number' ? held(penalty) : from(penalty).pipe(switchMap(held));
}
