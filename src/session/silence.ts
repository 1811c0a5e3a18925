import { Observable, type MonoTypeOperatorFunction, type SchedulerAction, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { CompactSubscriber } from './compact-subscriber.js';

/**
 * A session's inactivity clock: `touch()` on any activity (a line received), and `endAfterSilence()`
 * on the outgoing stream, which also counts each value it passes as activity. When the allowance runs
 * out with no activity, the stream's source is unsubscribed, the policy's farewell is sent, and the stream ends.
 *
 * One scheduled action per session, rescheduled only when it fires early (or when the allowance shrinks),
 * rather than `switchMap(timer)` with a new timer and subscriber per line and per chunk, and `touch()`
 * rather than a second subscription to the input: a server holds thousands of idle sessions, and this
 * is the part of each that stays alive. Hence classes rather than closures, too.
 */
export class SilenceClock<T> {
  #last: number;
  #deadline = Number.POSITIVE_INFINITY;
  #watch: SilenceWatch<T> | undefined;

  constructor(
    readonly scheduler: SchedulerLike,
    readonly policy: SilencePolicy<T>,
  ) {
    this.#last = scheduler.now();
  }

  get last(): number {
    return this.#last;
  }

  touch(): void {
    this.#last = this.scheduler.now();
    // A shorter allowance than the one armed (a live setting lowered) takes effect at once.
    const allowance = this.policy.allowanceMs();
    if (this.#deadline > this.#last + allowance) this.#watch?.arm(allowance);
  }

  /** The output stream, ended by the policy's farewell after the allowance of silence. */
  endAfterSilence(): MonoTypeOperatorFunction<T> {
    return (source$) =>
      new Observable<T>((out) => {
        const watch = new SilenceWatch(out, this);
        this.#watch = watch;
        this.#last = this.scheduler.now();
        source$.subscribe(watch);
        if (!out.closed) watch.arm(this.policy.allowanceMs());
      });
  }

  /** Called by the watch: the deadline it armed, or that it is gone. */
  armed(watch: SilenceWatch<T>, deadline: number): void {
    if (this.#watch === watch) this.#deadline = deadline;
  }

  detach(watch: SilenceWatch<T>): void {
    if (this.#watch === watch) this.#watch = undefined;
  }
}

/**
 * What a session tells its clock, as methods of one object (the session itself, rather than two closures):
 * the silence allowed now, read at each check (it may change with the session's state or a live setting),
 * and what silence ends the session with.
 */
export interface SilencePolicy<T> {
  allowanceMs(): number;
  onSilence(): Observable<T>;
}

/** The scheduled check, shared by every watch: the watch is the action's state. */
function check(this: SchedulerAction<Fires>, watch?: Fires): void {
  watch!.fire(this);
}

/** A watch as its scheduled check sees it, whatever it carries. */
interface Fires {
  fire(action: SchedulerAction<Fires>): void;
}

/** Subscribed to the source: passes its values on (as activity) until silence, then sends the farewell to `out`. */
class SilenceWatch<T> extends CompactSubscriber<T> implements Fires {
  readonly #out: Subscriber<T>;
  readonly #clock: SilenceClock<T>;
  #action: Subscription | undefined;

  constructor(out: Subscriber<T>, clock: SilenceClock<T>) {
    super(out);
    this.#out = out;
    this.#clock = clock;
  }

  protected override _next(value: T): void {
    this.#clock.touch();
    this.#out.next(value);
  }

  arm(delay: number): void {
    if (this.closed) return;
    this.#action?.unsubscribe();
    const { scheduler } = this.#clock;
    this.#clock.armed(this, scheduler.now() + delay);
    this.#action = scheduler.schedule(check, delay, this);
  }

  fire(action: SchedulerAction<Fires>): void {
    const { scheduler } = this.#clock;
    const left = this.#clock.last + this.#clock.policy.allowanceMs() - scheduler.now();
    if (left > 0) {
      this.#clock.armed(this, scheduler.now() + left);
      // The same action again (and, with the same delay, the same interval timer).
      this.#action = action.schedule(this, left);
      return;
    }
    const out = this.#out;
    this.unsubscribe();
    out.add(this.#clock.policy.onSilence().subscribe(out));
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.#clock.detach(this);
    this.#action?.unsubscribe();
    this.#action = undefined;
    super.unsubscribe();
  }
}
