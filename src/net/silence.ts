import { Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

export interface SilenceOptions<T> {
  readonly scheduler: SchedulerLike;
  /** The silence allowed now (it may change with the session's state or a live setting). */
  readonly allowanceMs: () => number;
  /** Activity besides the passing values (e.g. lines received) that also counts as "not silent". */
  readonly activity$: Observable<unknown>;
  /** What to send when the allowance runs out; the stream ends after it. */
  readonly farewell: () => Observable<T>;
}

/**
 * Passes values through until neither a value nor an activity has been seen for the allowance; then
 * unsubscribes the source and the activity, sends the farewell and completes.
 *
 * One scheduled action per stream, moved only when it fires early (or when the allowance shrinks), rather
 * than `switchMap(timer)` with a new timer and subscriber per line and per chunk: a server holds thousands
 * of idle sessions, and this is the part of each that stays alive.
 */
export function endAfterSilence<T>(options: SilenceOptions<T>): MonoTypeOperatorFunction<T> {
  const { scheduler, allowanceMs, activity$, farewell } = options;
  return (source$) =>
    new Observable<T>((subscriber) => {
      let last = scheduler.now();
      let deadline = Number.POSITIVE_INFINITY;
      let action: Subscription | undefined;
      let activity: Subscription | undefined;
      let values: Subscription | undefined;
      const arm = (delay: number): void => {
        action?.unsubscribe();
        deadline = scheduler.now() + delay;
        action = scheduler.schedule(fire, delay);
      };
      const fire = (): void => {
        const left = last + allowanceMs() - scheduler.now();
        if (left > 0) return arm(left);
        activity?.unsubscribe();
        values?.unsubscribe();
        subscriber.add(farewell().subscribe(subscriber));
      };
      const touch = (): void => {
        last = scheduler.now();
        // A shorter allowance than the one armed (a live setting lowered) takes effect at once.
        if (deadline > last + allowanceMs()) arm(allowanceMs());
      };
      activity = activity$.subscribe({ next: touch, error: () => undefined });
      values = source$.subscribe({
        next(value) {
          touch();
          subscriber.next(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      if (!subscriber.closed) arm(allowanceMs());
      return () => {
        action?.unsubscribe();
        activity?.unsubscribe();
        values?.unsubscribe();
      };
    });
}
