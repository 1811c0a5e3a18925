import type { Readable } from 'node:stream';
import type { CommitResult, Maildrop, MaildropStore, MessageInfo } from './maildrop.js';

/**
 * Decorates a MaildropStore so the daemon can wait, on shutdown, until every maildrop it opened has
 * been committed or released: no lock is left behind by a clean exit.
 */
export class TrackedMaildropStore implements MaildropStore {
  private readonly pending = new Set<Promise<unknown>>();
  private readonly opened = new Set<Maildrop>();

  constructor(private readonly inner: MaildropStore) {}

  async open(user: string): Promise<Maildrop> {
    const maildrop = await this.track(this.inner.open(user));
    this.opened.add(maildrop);
    return new TrackedMaildrop(maildrop, this);
  }

  /** Resolves once nothing is being opened, committed or released, and nothing is left open. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Maildrops opened and not yet committed or released. */
  get openCount(): number {
    return this.opened.size;
  }

  /** The maildrop's last work (commit or release): it is no longer open, and the work is waited for. */
  finish<T>(maildrop: Maildrop, work: () => Promise<T>): Promise<T> {
    this.opened.delete(maildrop);
    return this.track(work());
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = (): void => void this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }
}

/**
 * An opened maildrop, as the session sees it. A class with two fields rather than an object of closures: a
 * server holds one per logged-in session, and thousands stay idle.
 */
class TrackedMaildrop implements Maildrop {
  constructor(
    private readonly inner: Maildrop,
    private readonly store: TrackedMaildropStore,
  ) {}

  get user(): string {
    return this.inner.user;
  }

  get messages(): readonly MessageInfo[] {
    return this.inner.messages;
  }

  read(index: number): Readable {
    return this.inner.read(index);
  }

  readAtOnce(index: number): Buffer | undefined {
    return this.inner.readAtOnce?.(index);
  }

  markSeen(index: number): void {
    this.inner.markSeen(index);
  }

  commit(deleted: ReadonlySet<number>): Promise<CommitResult> {
    return this.store.finish(this.inner, () => this.inner.commit(deleted));
  }

  release(): Promise<void> {
    return this.store.finish(this.inner, () => this.inner.release());
  }
}
