import { lstatSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import type { HeldLock } from './messages.js';

/**
 * The lock at `path` as it is now (who made it, in effect), or undefined when there is none.
 * Synchronous, as taking the lock is (maildrop-lock.ts): one lstat of a link just made.
 */
export function identifyLock(path: string): HeldLock | undefined {
  let stats;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (!stats?.isSymbolicLink()) return undefined;
  return { path, dev: stats.dev, ino: stats.ino, birthtimeMs: stats.birthtimeMs };
}

/**
 * The maildrop locks each worker holds, as the workers report them, so that a dead worker's locks can be
 * removed at once instead of blocking their users until they go stale (mail.lockStaleSeconds).
 */
export class LockRegistry {
  readonly #held = new Map<number, Map<string, HeldLock>>();

  constructor(
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  held(worker: number, lock: HeldLock): void {
    const locks = this.#held.get(worker) ?? new Map<string, HeldLock>();
    this.#held.set(worker, locks.set(lock.path, lock));
  }

  released(worker: number, path: string): void {
    this.#held.get(worker)?.delete(path);
  }

  /** The worker is dead: removes the locks it held, and resolves with the paths removed. */
  async free(worker: number): Promise<string[]> {
    const locks = [...(this.#held.get(worker)?.values() ?? [])];
    this.#held.delete(worker);
    const removed = await Promise.all(locks.map((lock) => this.#removeIfStillTheirs(lock)));
    return locks.filter((_, i) => removed[i]).map((lock) => lock.path);
  }

  /**
   * Only the very link the dead worker made (same device, inode and birth time: a session elsewhere may
   * have made a new one since), and only while it is fresh: a stale lock may be being taken over right now
   * by the lstat-unlink-symlink of a lock elsewhere, and is left to that.
   */
  async #removeIfStillTheirs(lock: HeldLock): Promise<boolean> {
    const stats = await lstat(lock.path).catch(() => undefined);
    if (!stats?.isSymbolicLink() || stats.dev !== lock.dev || stats.ino !== lock.ino || stats.birthtimeMs !== lock.birthtimeMs) {
      return false;
    }
    if (this.now() - stats.mtimeMs > this.staleMs / 2) return false;
    return unlink(lock.path).then(
      () => true,
      () => false,
    );
  }
}
