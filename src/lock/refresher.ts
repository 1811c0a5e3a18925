import { lstat, lutimes } from 'node:fs/promises';
import { hasErrorCode } from '../process/errno.js';

/** A lock this process holds, and the mtime (whole seconds) it last gave it. */
interface HeldLock {
  mtimeSeconds: number;
  readonly onCompromised: (error: Error) => void;
}

/** Refreshes run this many at a time, so thousands of held locks do not flood the threadpool at once. */
const CONCURRENCY = 16;

/**
 * Keeps the locks this process holds fresh: every `staleMs / 3` it checks that each still
 * carries the mtime we gave it (else another process took it over: compromised, and dropped from the set)
 * and sets a new one. One timer and one small record per held lock, rather than a timer and its closures
 * per lock: a server may hold ten thousand maildrops.
 *
 * Mtimes are whole seconds, rounded up: filesystems with second precision (some NFS servers) then
 * report exactly what we set, so "still ours" is an equality test that holds everywhere.
 */
export class LockRefresher {
  readonly #held = new Map<string, HeldLock>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(private readonly staleMs: number) {}

  /** Marks `path` as held with `mtimeSeconds` (already set on it by the caller). */
  add(path: string, mtimeSeconds: number, onCompromised: (error: Error) => void): void {
    this.#held.set(path, { mtimeSeconds, onCompromised });
    this.#timer ??= setInterval(() => void this.#refreshAll(), this.staleMs / 3).unref();
  }

  /** Stops refreshing `path`; false when it was not held (already released, or compromised). */
  delete(path: string): boolean {
    const held = this.#held.delete(path);
    if (this.#held.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    return held;
  }

  /** The locks held now (for removal at process exit). */
  paths(): IterableIterator<string> {
    return this.#held.keys();
  }

  async #refreshAll(): Promise<void> {
    // A slow filesystem must not stack up rounds: the next tick skips while this one runs.
    if (this.#running) return;
    this.#running = true;
    try {
      const paths = [...this.#held.keys()];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < paths.length) await this.#refresh(paths[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, worker));
    } finally {
      this.#running = false;
    }
  }

  async #refresh(path: string): Promise<void> {
    const held = this.#held.get(path);
    if (held === undefined) return;
    try {
      const stats = await lstat(path);
      if (Math.floor(stats.mtimeMs / 1000) !== held.mtimeSeconds) {
        throw Object.assign(new Error('lock was taken over by another holder'), { code: 'ECOMPROMISED' });
      }
      const mtimeSeconds = nowSeconds();
      await lutimes(path, mtimeSeconds, mtimeSeconds);
      // Released while we were at it: the release removed the lock, so do not record anything.
      if (this.#held.get(path) === held) held.mtimeSeconds = mtimeSeconds;
    } catch (error) {
      if (this.#held.get(path) !== held) return;
      // A passing I/O error is retried next round; if the lock went stale meanwhile, that round sees a
      // foreign mtime. A missing lock or a foreign mtime means someone else may hold it now.
      if (!hasErrorCode(error, 'ENOENT') && !hasErrorCode(error, 'ECOMPROMISED')) return;
      this.delete(path);
      held.onCompromised(error as Error);
    }
  }
}

/** Now in whole seconds, rounded up (see LockRefresher). */
export function nowSeconds(): number {
  return Math.ceil(Date.now() / 1000);
}
