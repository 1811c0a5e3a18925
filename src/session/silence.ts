import { Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/**
 * A session's inactivity clock: `touch()` on any activity (a line received), and `endAfter(farewell)`
 * on the outgoing stream, which also counts each value it passes as activity. When the allowance runs
 * out with no activity, the stream's source is unsubscribed, the farewell is sent, and the stream ends.
 *
 * One scheduled action per session, moved only when it fires early (or when the allowance shrinks),
 * rather than `switchMap(timer)` with a new timer and subscriber per line and per chunk, and `touch()`
 * rather than a second subscription to the input: a server holds thousands of idle sessions, and this
 * is the part of each that stays alive.
 */
export class SilenceClock {
  #last: number;
  #deadline = Number.POSITIVE_INFINITY;
  #rearm: ((delay: number) => void) | undefined;

  /** `allowanceMs` is read at each check: it may change with the session's state or a live setting. */
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly allowanceMs: () => number,
  ) {
    this.#last = scheduler.now();
  }

  touch(): void {
    this.#last = this.scheduler.now();
    // A shorter allowance than the one armed (a live setting lowered) takes effect at once.
    const allowance = this.allowanceMs();
    if (this.#deadline > this.#last + allowance) this.#rearm?.(allowance);
  }

  endAfter<T>(farewell: () => Observable<T>): MonoTypeOperatorFunction<T> {
    return (source$) =>
      new Observable<T>((subscriber) => {
        const { scheduler } = this;
        let action: Subscription | undefined;
        let values: Subscription | undefined;
        const arm = (delay: number): void => {
          action?.unsubscribe();
          this.#deadline = scheduler.now() + delay;
          action = scheduler.schedule(fire, delay);
        };
        const fire = (): void => {
          const left = this.#last + this.allowanceMs() - scheduler.now();
          if (left > 0) return arm(left);
          values?.unsubscribe();
          subscriber.add(farewell().subscribe(subscriber));
        };
        this.#rearm = arm;
        this.#last = scheduler.now();
        values = source$.subscribe({
          next: (value) => {
            this.touch();
            subscriber.next(value);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
        if (!subscriber.closed) arm(this.allowanceMs());
        return () => {
          this.#rearm = undefined;
          action?.unsubscribe();
          values?.unsubscribe();
        };
      });
  }
}
