import { Observable, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';

/** What an administrator can do to a running session from outside it. */
interface Kickable {
  /** The logged-in user, if any. */
  readonly user: () => string | undefined;
  readonly kick: () => void;
}

/**
 * The POP3 sessions of this process, by connection id, so that Push3's KICK (here, or sent by a cluster's
 * primary) reaches the one holding the session. One map entry per session, no subscription per session.
 */
export class SessionControls {
  readonly #sessions = new Map<string, Kickable>();

  /**
   * Ends the session on `target`'s connection, or every session of the user `target`, each with its
   * farewell; resolves how many were ended.
   */
  kick(target: string): number {
    const byId = this.#sessions.get(target);
    const chosen = byId !== undefined ? [byId] : [...this.#sessions.values()].filter((session) => session.user() === target);
    for (const session of chosen) session.kick();
    return chosen.length;
  }

  /**
   * An operator for a session's output: while subscribed it can be kicked; a kick unsubscribes the session
   * (which then releases its maildrop without UPDATE, as when the client vanishes), sends the farewell and
   * ends the stream.
   */
  endWhenKicked<T>(connection: string, user: () => string | undefined, farewell: () => Observable<T>): MonoTypeOperatorFunction<T> {
    return (source$) =>
      new Observable<T>((subscriber) => {
        let values: Subscription | undefined;
        // Only its own entry: after STLS the next session of the connection has registered under the same id.
        const leave = (): void => {
          if (this.#sessions.get(connection) === entry) this.#sessions.delete(connection);
        };
        const entry: Kickable = {
          user,
          kick: () => {
            leave();
            values?.unsubscribe();
            subscriber.add(farewell().subscribe(subscriber));
          },
        };
        this.#sessions.set(connection, entry);
        values = source$.subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });
        return () => {
          leave();
          values?.unsubscribe();
        };
      });
  }
}
