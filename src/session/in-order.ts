import { Observable, Subscriber, type OperatorFunction } from 'rxjs';

/**
 * `concatMap(project)` for long-lived streams: each value's inner stream is subscribed once the previous
 * one has completed, values arriving meanwhile wait in order. rxjs's concatMap keeps an operator subscriber,
 * a context and half a dozen closures per subscription even while nothing flows; this keeps one small
 * object (the queue is made when first needed). A session holds two of these for as long as the client
 * stays connected, thousands at a time.
 */
export function inOrder<T, R>(project: (value: T) => Observable<R>): OperatorFunction<T, R> {
  return (source$) =>
    new Observable<R>((out) => {
      source$.subscribe(new InOrderSubscriber(out, project));
    });
}

/** Subscribed to the source; `out` holds it and the running inner stream, so unsubscribing `out` ends both. */
class InOrderSubscriber<T, R> extends Subscriber<T> {
  readonly #out: Subscriber<R>;
  readonly #project: (value: T) => Observable<R>;
  #waiting: T[] | undefined;
  #running = false;
  #sourceDone = false;

  constructor(out: Subscriber<R>, project: (value: T) => Observable<R>) {
    super(out);
    this.#out = out;
    this.#project = project;
  }

  protected override _next(value: T): void {
    if (this.#running) (this.#waiting ??= []).push(value);
    else this.#run(value);
  }

  protected override _complete(): void {
    this.#sourceDone = true;
    this.unsubscribe();
    if (!this.#running) this.#out.complete();
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
    inner$.subscribe(new InnerSubscriber(this.#out, this));
  }
}

/** One inner stream: its values and error go to `out`, its completion back to the queue. */
class InnerSubscriber<R> extends Subscriber<R> {
  readonly #queue: { innerDone(): void };

  constructor(out: Subscriber<R>, queue: { innerDone(): void }) {
    super(out);
    this.#queue = queue;
  }

  protected override _complete(): void {
    this.unsubscribe();
    this.#queue.innerDone();
  }
}
