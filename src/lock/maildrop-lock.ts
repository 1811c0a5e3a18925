import { mkdirSync, rmdirSync, statSync, utimesSync, type Stats } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { hasErrorCode, ignoreErrorCode } from '../process/errno.js';
import { flatString } from '../process/flat-string.js';
import { LockRefresher, nowSeconds } from './refresher.js';
import { MaildropLockedError } from '../maildrop/maildrop.js';
import { warningLogger, type MailLogger } from '../maildrop/logger.js';

/** The lock directory's name inside the Maildir; outside cur/ new/ tmp/, so never listed as mail. */
export const LOCK_NAME = 'pop3d.lock';

export interface MaildropLockOptions {
  /** A lock not refreshed for this long is taken over: its holder died without releasing it. */
  readonly staleMs: number;
  readonly logger?: MailLogger;
}

/** Releases the lock. Idempotent, and never rejects: a lock that cannot be removed simply goes stale. */
export type ReleaseLock = () => Promise<void>;

/**
 * Maildirs this process is locking or holds. A stale lock is taken over by stat, rmdir, mkdir, so two
 * contenders that both saw it stale can both "win". Refusing a second contender here closes that race
 * between sessions of one daemon; between processes a window of milliseconds after a crash remains.
 */
const claimed = new Set<string>();
/** One refresher per staleness (the daemon has one; tests use others). */
const refreshers = new Map<number, LockRefresher>();

function refresherFor(staleMs: number): LockRefresher {
  let refresher = refreshers.get(staleMs);
  if (refresher === undefined) refreshers.set(staleMs, (refresher = new LockRefresher(staleMs)));
  return refresher;
}

// A process that exits without releasing (an uncaught error) leaves no lock behind; SIGKILL still does,
// and staleness frees those.
process.once('exit', () => {
  for (const refresher of refreshers.values()) {
    for (const dir of refresher.dirs()) {
      try {
        rmdirSync(dir);
      } catch {
        // Gone already, or not ours to remove: staleness handles it.
      }
    }
  }
});

/**
 * Exclusive lock on one Maildir, across processes and hosts sharing the storage: a directory made with
 * mkdir (atomic, NFS included), its mtime kept fresh while held. A holder killed with SIGKILL stops
 * refreshing, so after `staleMs` the next session takes over instead of the user being locked out.
 * Rejects with MaildropLockedError when a running session holds it; other errors (e.g. ENOENT when the
 * Maildir does not exist) pass through unchanged.
 *
 * Taking it is synchronous, as the listing's calls are: on a local disk mkdir and utimes take microseconds,
 * where a trip through the threadpool and its promise costs tens of microseconds of the main thread. On NFS
 * each blocks the event loop for a round trip, as the listing's readdir does anyway. The release stays
 * asynchronous (see there).
 */
export async function acquireMaildropLock(maildir: string, options: MaildropLockOptions): Promise<ReleaseLock> {
  const logger = options.logger ?? warningLogger;
  // Both are kept while the lock is held: flat rather than trees of path pieces.
  const key = flatString(resolve(maildir));
  if (claimed.has(key)) throw new MaildropLockedError(maildir);
  claimed.add(key);
  const dir = flatString(join(key, LOCK_NAME));
  const refresher = refresherFor(options.staleMs);
  try {
    takeLockDirectory(dir, options.staleMs, maildir);
    const mtimeSeconds = nowSeconds();
    utimesSync(dir, mtimeSeconds, mtimeSeconds);
    // Another session may now hold it (we were too slow to refresh it); ours goes on, so log it for the operator.
    refresher.add(dir, mtimeSeconds, (err) => logger.warn({ err, maildir }, 'maildrop lock compromised'));
  } catch (err) {
    claimed.delete(key);
    throw err;
  }

  let released: Promise<void> | undefined;
  return () =>
    (released ??= (async () => {
      try {
        // Not held any more means compromised (and reported): the directory may be someone else's now.
        // Off the main thread: freeing a directory's block can wait on the disk (a discard, a journal commit).
        if (refresher.delete(dir)) await rmdir(dir);
      } catch (err) {
        if (!hasErrorCode(err, 'ENOENT')) logger.warn({ err, maildir }, 'could not release maildrop lock');
      } finally {
        claimed.delete(key);
      }
    })());
}

/** mkdir, or when the directory exists and is stale, rmdir and mkdir again (once). */
function takeLockDirectory(dir: string, staleMs: number, maildir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (err) {
    if (!hasErrorCode(err, 'EEXIST')) throw err;
  }
  const stats = statOrGone(dir);
  if (stats !== undefined && stats.mtimeMs >= Date.now() - staleMs) throw new MaildropLockedError(maildir);
  if (stats !== undefined) {
    try {
      rmdirSync(dir);
    } catch (err) {
      ignoreErrorCode('ENOENT')(err);
    }
  }
  try {
    mkdirSync(dir);
  } catch (err) {
    throw hasErrorCode(err, 'EEXIST') ? new MaildropLockedError(maildir) : err;
  }
}

/** The lock directory's stats, or undefined when it was released meanwhile (then try once more). */
function statOrGone(dir: string): Stats | undefined {
  try {
    return statSync(dir);
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}
