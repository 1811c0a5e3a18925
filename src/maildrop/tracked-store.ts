import type { CommitResult, Maildrop, MaildropStore } from './maildrop.js';

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
    const finish = <T>(work: () => Promise<T>): Promise<T> => {
      this.opened.delete(maildrop);
      return this.track(work());
    };
    return {
      user: maildrop.user,
      messages: maildrop.messages,
      read: (index) => maildrop.read(index),
      readAtOnce: (index) => maildrop.readAtOnce?.(index),
      markSeen: (index) => maildrop.markSeen(index),
      commit: (deleted): Promise<CommitResult> => finish(() => maildrop.commit(deleted)),
      release: () => finish(() => maildrop.release()),
    };
  }

  /** Resolves once nothing is being opened, committed or released, and nothing is left open. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Maildrops opened and not yet committed or released. */
  get openCount(): number {
    return this.opened.size;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = (): void => void this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }
}
