import { Observable, type Subscriber } from 'rxjs';

/**
 * The subscribers of a hot stream, each given every value in turn. rxjs's Subject.next allocates a closure
 * and an iterator per value; the event bus and the metrics feed pass a few hundred values per POP3 session,
 * so this keeps a plain array instead, replaced (never changed in place) when a subscriber joins or leaves:
 * one that leaves during a delivery, as a `take(1)` does, cannot make another miss the value.
 */
export class FanOut<T> {
  #subscribers: readonly Subscriber<T>[] = [];

  /** Subscribing adds a subscriber (plain observers come wrapped by rxjs); unsubscribing removes it. */
  readonly observable: Observable<T> = new Observable<T>((subscriber) => {
    this.#subscribers = [...this.#subscribers, subscriber];
    return () => {
      this.#subscribers = this.#subscribers.filter((other) => other !== subscriber);
    };
  });

  next(value: T): void {
    const subscribers = this.#subscribers;
    for (let index = 0; index < subscribers.length; index += 1) subscribers[index]!.next(value);
  }

  /** Ends every current subscriber; later ones are the owner's to answer. */
  error(error: unknown): void {
    for (const subscriber of this.#ending()) subscriber.error(error);
  }

  complete(): void {
    for (const subscriber of this.#ending()) subscriber.complete();
  }

  #ending(): readonly Subscriber<T>[] {
    const subscribers = this.#subscribers;
    this.#subscribers = [];
    return subscribers;
  }
}
