import { lstatSync, lutimesSync, rmdirSync, symlinkSync, unlinkSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { hasErrorCode, ignoreErrorCode } from '../process/errno.js';
import { flatString } from '../process/flat-string.js';
import { LockRefresher, nowSeconds } from './refresher.js';
import { MaildropLockedError } from '../maildrop/maildrop.js';
import { warningLogger, type MailLogger } from '../maildrop/logger.js';

/** The lock's name inside the Maildir; outside cur/ new/ tmp/, so never listed as mail. */
export const LOCK_NAME = 'pop3d.lock';

/**
 * What the lock points to: its holder, `<pid>@<host>`, for an operator's `ls -l`. Nothing follows it: the lock
 * is only ever made, lstat-ed, lutimes-ed and unlinked, so a planted link to another file changes nothing.
 */
export const LOCK_HOLDER = `${process.pid}@${hostname()}`;

export interface MaildropLockOptions {
  /** A lock not refreshed for this long is taken over: its holder died without releasing it. */
  readonly staleMs: number;
  readonly logger?: MailLogger;
}

/** Releases the lock. Idempotent, and never rejects: a lock that cannot be removed simply goes stale. */
export type ReleaseLock = () => Promise<void>;

/**
 * Maildirs this process is locking or holds. A stale lock is taken over by lstat, unlink, symlink, so two
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
    for (const path of refresher.paths()) {
      try {
        unlinkSync(path);
      } catch {
        // Gone already, or not ours to remove: staleness handles it.
      }
    }
  }
});

/**
 * Exclusive lock on one Maildir, across processes and hosts sharing the storage: a symbolic link made with
 * symlink (atomic, like mkdir, on every NFS version), its mtime kept fresh while held. A holder killed with
 * SIGKILL stops refreshing, so after `staleMs` the next session takes over instead of the user being locked out.
 * Rejects with MaildropLockedError when a running session holds it; other errors (e.g. ENOENT when the
 * Maildir does not exist) pass through unchanged.
 *
 * A link rather than a directory: its target fits in the inode, so making and removing it allocates and
 * frees no block. A directory's mkdir and rmdir cost ten times as much on ext4, the most of any call at login.
 *
 * Taking and releasing it are synchronous, as the listing's calls are: on a local disk each call takes
 * microseconds, where a trip through the threadpool and its promise costs tens of microseconds of the main
 * thread. On NFS each blocks the event loop for a round trip, as the listing's readdir does anyway.
 */
export async function acquireMaildropLock(maildir: string, options: MaildropLockOptions): Promise<ReleaseLock> {
  const logger = options.logger ?? warningLogger;
  // Both are kept while the lock is held: flat rather than trees of path pieces.
  const key = flatString(resolve(maildir));
  if (claimed.has(key)) throw new MaildropLockedError(maildir);
  claimed.add(key);
  const path = flatString(join(key, LOCK_NAME));
  const refresher = refresherFor(options.staleMs);
  try {
    takeLock(path, options.staleMs, maildir);
    const mtimeSeconds = nowSeconds();
    lutimesSync(path, mtimeSeconds, mtimeSeconds);
    // Another session may now hold it (we were too slow to refresh it); ours goes on, so log it for the operator.
    refresher.add(path, mtimeSeconds, (err) => logger.warn({ err, maildir }, 'maildrop lock compromised'));
  } catch (err) {
    claimed.delete(key);
    throw err;
  }

  let released: Promise<void> | undefined;
  return () =>
    (released ??= (async () => {
      try {
        // Not held any more means compromised (and reported): the link may be someone else's now.
        if (refresher.delete(path)) unlinkSync(path);
      } catch (err) {
        if (!hasErrorCode(err, 'ENOENT')) logger.warn({ err, maildir }, 'could not release maildrop lock');
      } finally {
        claimed.delete(key);
      }
    })());
}

/** symlink, or when the lock exists and is stale, remove it and symlink again (once). */
function takeLock(path: string, staleMs: number, maildir: string): void {
  try {
    symlinkSync(LOCK_HOLDER, path);
    return;
  } catch (err) {
    if (!hasErrorCode(err, 'EEXIST')) throw err;
  }
  const stats = lstatOrGone(path);
  if (stats !== undefined && stats.mtimeMs >= Date.now() - staleMs) throw new MaildropLockedError(maildir);
  if (stats !== undefined) {
    try {
      // A directory is the lock of an earlier version of pop3d, which locked with mkdir.
      if (stats.isDirectory()) rmdirSync(path);
      else unlinkSync(path);
    } catch (err) {
      ignoreErrorCode('ENOENT')(err);
    }
  }
  try {
    symlinkSync(LOCK_HOLDER, path);
  } catch (err) {
    throw hasErrorCode(err, 'EEXIST') ? new MaildropLockedError(maildir) : err;
  }
}

/** The lock's own stats (never its target's), or undefined when it was released meanwhile (then try once more). */
function lstatOrGone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}
