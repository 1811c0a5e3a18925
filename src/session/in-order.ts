import { isObservable, Observable, type Subscriber, type OperatorFunction } from 'rxjs';
import type { Outcome } from './command.js';
import { CompactSubscriber } from './compact-subscriber.js';

/**
 * `concatMap(project)` for long-lived streams, where most values map to one value known at once: each
 * value's output starts once the previous value's has completed, and values arriving meanwhile wait in
 * order. `project` gives either a stream, subscribed when its turn comes, or a plain value, passed on at
 * once as a stream of that one value would be, without the subscriptions (most POP3 commands and replies;
 * the output type itself must not be an Observable). rxjs's concatMap also keeps an operator subscriber,
 * a context and half a dozen closures per subscription even while nothing flows; this keeps one small
 * object (the queue is made when first needed). A session holds two of these for as long as the client
 * stays connected, thousands at a time.
 */
export function inOrder<T, R>(project: (value: T) => Outcome<R>, options: InOrderOptions<T, R> = {}): OperatorFunction<T, R> {
  return inOrderBy({ project, arrived: options.arrived, isLast: options.isLast });
}

/** What a session's kernel would otherwise add as operators of their own (`tap` before, `takeWhile` after). */
export interface InOrderOptions<T, R> {
  /** Called with each value as it arrives, before it waits for its turn. */
  readonly arrived?: (value: T) => void;
  /** The last output: it is passed on, then the output completes and the source is unsubscribed. */
  readonly isLast?: (output: R) => boolean;
}

/** inOrder's project and options as methods of one object, called on it. */
export interface InOrderHandler<T, R> {
  project(value: T): Outcome<R>;
  arrived?(value: T): void;
  isLast?(output: R): boolean;
}

/**
 * inOrder with its callbacks as the methods of `handler`: a long-lived session passes itself, so that it
 * holds one object rather than a closure and a context per callback.
 */
export function inOrderBy<T, R>(handler: InOrderHandler<T, R>): OperatorFunction<T, R> {
  return (source$) =>
    new Observable<R>((out) => {
      source$.subscribe(new InOrderSubscriber(out, handler));
    });
}

/** Subscribed to the source; `out` holds it and the running inner stream, so unsubscribing `out` ends both. */
class InOrderSubscriber<T, R> extends CompactSubscriber<T> {
  readonly #out: Subscriber<R>;
  readonly #handler: InOrderHandler<T, R>;
  #waiting: T[] | undefined;
  #running = false;
  #sourceDone = false;

  constructor(out: Subscriber<R>, handler: InOrderHandler<T, R>) {
    super(out);
    this.#out = out;
    this.#handler = handler;
  }

  protected override _next(value: T): void {
    this.#handler.arrived?.(value);
    if (this.#running) (this.#waiting ??= []).push(value);
    else this.#runFrom(value);
  }

  protected override _complete(): void {
    this.#sourceDone = true;
    this.unsubscribe();
    if (!this.#running) this.#out.complete();
  }

  /** A value of the running output. */
  output(value: R): void {
    const out = this.#out;
    out.next(value);
    // Completing `out` unsubscribes the source and the inner stream, which are held by it.
    if (this.#handler.isLast?.(value) === true) out.complete();
  }

  /** The running inner stream completed: the waiting values' turn, or the end. */
  innerDone(): void {
    this.#running = false;
    const next = this.#nextWaiting();
    if (next !== NONE) this.#runFrom(next);
  }

  /**
   * Runs `value`, then, as long as each output is a plain value, the values waiting after it: a loop rather
   * than a call per value, so a long pipelined backlog does not deepen the stack. Values that arrive while
   * an output is passed on (the output can resume the input) wait their turn, as they would for a stream.
   */
  #runFrom(first: T): void {
    const out = this.#out;
    let value = first;
    for (;;) {
      this.#running = true;
      let outcome: Outcome<R>;
      try {
        outcome = this.#handler.project(value);
      } catch (error) {
        out.error(error);
        return;
      }
      if (isObservable(outcome)) {
        outcome.subscribe(new InnerSubscriber(out, this as InOrderSubscriber<unknown, R>));
        return;
      }
      this.output(outcome);
      this.#running = false;
      if (out.closed) return;
      const next = this.#nextWaiting();
      if (next === NONE) return;
      value = next;
    }
  }

  /** The first waiting value, or NONE (completing the output if the source is done). */
  #nextWaiting(): T | typeof NONE {
    const waiting = this.#waiting;
    if (waiting === undefined) {
      if (this.#sourceDone) this.#out.complete();
      return NONE;
    }
    const next = waiting.shift()!;
    // An empty queue is dropped rather than kept: an idle session holds none.
    if (waiting.length === 0) this.#waiting = undefined;
    return next;
  }
}

/** Marks "no value waiting", as undefined may be a value. */
const NONE: unique symbol = Symbol('none');

/** One inner stream: its values go through the queue to `out`, its error to `out`, its completion back to the queue. */
class InnerSubscriber<R> extends CompactSubscriber<R> {
  readonly #queue: InOrderSubscriber<unknown, R>;

  constructor(out: Subscriber<R>, queue: InOrderSubscriber<unknown, R>) {
    super(out);
    this.#queue = queue;
  }

  protected override _next(value: R): void {
    this.#queue.output(value);
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.#queue.innerDone();
  }
}
