import { Observable, type Subscriber, type OperatorFunction } from 'rxjs';
import { CompactSubscriber } from './compact-subscriber.js';

/**
 * `concatMap(project)` for long-lived streams: each value's inner stream is subscribed once the previous
 * one has completed, values arriving meanwhile wait in order. rxjs's concatMap keeps an operator subscriber,
 * a context and half a dozen closures per subscription even while nothing flows; this keeps one small
 * object (the queue is made when first needed). A session holds two of these for as long as the client
 * stays connected, thousands at a time.
 */
export function inOrder<T, R>(project: (value: T) => Observable<R>, options: InOrderOptions<T, R> = {}): OperatorFunction<T, R> {
  return (source$) =>
    new Observable<R>((out) => {
      source$.subscribe(new InOrderSubscriber(out, project, options));
    });
}

/** What a session's kernel would otherwise add as operators of their own (`tap` before, `takeWhile` after). */
export interface InOrderOptions<T, R> {
  /** Called with each value as it arrives, before it waits for its turn. */
  readonly arrived?: (value: T) => void;
  /** The last output: it is passed on, then the output completes and the source is unsubscribed. */
  readonly isLast?: (output: R) => boolean;
}

/** Subscribed to the source; `out` holds it and the running inner stream, so unsubscribing `out` ends both. */
class InOrderSubscriber<T, R> extends CompactSubscriber<T> {
  readonly #out: Subscriber<R>;
  readonly #project: (value: T) => Observable<R>;
  readonly #options: InOrderOptions<T, R>;
  #waiting: T[] | undefined;
  #running = false;
  #sourceDone = false;

  constructor(out: Subscriber<R>, project: (value: T) => Observable<R>, options: InOrderOptions<T, R>) {
    super(out);
    this.#out = out;
    this.#project = project;
    this.#options = options;
  }

  protected override _next(value: T): void {
    this.#options.arrived?.(value);
    if (this.#running) (this.#waiting ??= []).push(value);
    else this.#run(value);
  }

  protected override _complete(): void {
    this.#sourceDone = true;
    this.unsubscribe();
    if (!this.#running) this.#out.complete();
  }

  /** A value of the running inner stream. */
  output(value: R): void {
    const out = this.#out;
    out.next(value);
    // Completing `out` unsubscribes the source and the inner stream, which are held by it.
    if (this.#options.isLast?.(value)) out.complete();
  }

  /** The running inner stream completed: the next waiting value's turn, or the end. */
  innerDone(): void {
    this.#running = false;
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      const next = waiting.shift()!;
      // An empty queue is dropped rather than kept: an idle session holds none.
      if (waiting.length === 0) this.#waiting = undefined;
      this.#run(next);
    } else if (this.#sourceDone) this.#out.complete();
  }

  #run(value: T): void {
    this.#running = true;
    let inner$: Observable<R>;
    try {
      inner$ = this.#project(value);
    } catch (error) {
      this.#out.error(error);
      return;
    }
    inner$.subscribe(new InnerSubscriber(this.#out, this as InOrderSubscriber<unknown, R>));
  }
}

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
