import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { CompactSubscriber } from '../session/compact-subscriber.js';

/** What an administrator can do to a running session from outside it. */
interface Kickable {
  /** The logged-in user, if any. */
  user(): string | undefined;
  kick(): void;
}

/** What a session tells its kick control, as methods of one object (the session itself, not two closures). */
export interface KickTarget<T> {
  /** The logged-in user, if any. */
  userNow(): string | undefined;
  /** What a kick ends the session with. */
  onKick(): Observable<T>;
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
  endWhenKicked<T>(connection: string, target: KickTarget<T>): MonoTypeOperatorFunction<T> {
    return (source$) =>
      new Observable<T>((out) => {
        const entry = new KickableSession(out, this.#sessions, connection, target);
        this.#sessions.set(connection, entry);
        source$.subscribe(entry);
      });
  }
}

/**
 * One session's entry, which is also the subscriber to its output: a class rather than an entry object,
 * an observer and their closures, as thousands of sessions stay idle.
 */
class KickableSession<T> extends CompactSubscriber<T> implements Kickable {
  readonly #out: Subscriber<T>;
  readonly #sessions: Map<string, Kickable>;
  readonly #connection: string;
  readonly #target: KickTarget<T>;

  constructor(out: Subscriber<T>, sessions: Map<string, Kickable>, connection: string, target: KickTarget<T>) {
    super(out);
    this.#out = out;
    this.#sessions = sessions;
    this.#connection = connection;
    this.#target = target;
  }

  user(): string | undefined {
    return this.#target.userNow();
  }

  kick(): void {
    const out = this.#out;
    this.unsubscribe();
    out.add(this.#target.onKick().subscribe(out));
  }

  override unsubscribe(): void {
    if (this.closed) return;
    // Only its own entry: after STLS the next session of the connection has registered under the same id.
    if (this.#sessions.get(this.#connection) === this) this.#sessions.delete(this.#connection);
    super.unsubscribe();
  }
}
