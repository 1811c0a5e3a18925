import { map, of, timer, type Observable, type SchedulerLike } from 'rxjs';
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
  const holdMs = throttle.failed(address);
  return holdMs > 0 ? timer(holdMs, scheduler).pipe(map(() => answer)) : of(answer);
}
