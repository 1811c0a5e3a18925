import { Subscriber, type TeardownLogic } from 'rxjs';

/** rxjs keeps a subscription's finalizers in `_finalizers`, an array made by the first add. */
interface WithFinalizers {
  _finalizers: unknown[] | null | undefined;
}

/**
 * A Subscriber whose list of finalizers is as long as it needs to be. rxjs starts the list empty and pushes
 * onto it, which gives its first finalizer room for sixteen more (152 bytes); the subscribers a session holds
 * while it is open mostly have one. A long-lived subscriber, of which a server holds thousands, extends this.
 * (Should rxjs keep its finalizers elsewhere one day, this does nothing.)
 */
export class CompactSubscriber<T> extends Subscriber<T> {
  override add(teardown: TeardownLogic): void {
    super.add(teardown);
    const self = this as unknown as WithFinalizers;
    const finalizers = self._finalizers;
    if (Array.isArray(finalizers) && finalizers.length === 1) self._finalizers = [finalizers[0]];
  }
}
