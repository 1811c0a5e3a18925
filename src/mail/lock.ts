import { join, resolve } from 'node:path';
import { lock } from 'proper-lockfile';
import { hasErrorCode } from './errno.js';
import { MaildropLockedError } from './maildrop.js';
import { warningLogger, type MailLogger } from './logger.js';

/** The lock directory's name inside the Maildir; outside cur/ new/ tmp/, so never listed as mail. */
export const LOCK_NAME = 'pop3d.lock';

export interface MaildropLockOptions {
  /** A lock not refreshed for this long is taken over: its holder died without releasing it. */
  readonly staleMs: number;
  readonly logger?: MailLogger;
}

/**
 * Maildirs this process is locking or holds. proper-lockfile takes over a stale lock by stat, rmdir, mkdir,
 * so two contenders that both saw it stale can both "win". Refusing a second contender here closes that race
 * between sessions of one daemon; between processes a window of milliseconds after a crash remains.
 */
const claimed = new Set<string>();

/** Releases the lock. Idempotent, and never rejects: a lock that cannot be removed simply goes stale. */
export type ReleaseLock = () => Promise<void>;

/**
 * Exclusive lock on one Maildir, across processes and hosts sharing the storage. proper-lockfile takes it
 * with mkdir (atomic, NFS included) and keeps its mtime fresh; a holder killed with SIGKILL stops
 * refreshing, so after `staleMs` the next session takes over instead of the user being locked out.
 * Rejects with MaildropLockedError when a live session holds it; other errors (e.g. ENOENT when the
 * Maildir does not exist) pass through unchanged.
 */
export async function acquireMaildropLock(maildir: string, options: MaildropLockOptions): Promise<ReleaseLock> {
  const logger = options.logger ?? warningLogger;
  const key = resolve(maildir);
  if (claimed.has(key)) throw new MaildropLockedError(maildir);
  claimed.add(key);
  let release: () => Promise<void>;
  try {
    release = await lock(maildir, {
      stale: options.staleMs,
      update: options.staleMs / 3,
      // The lock directory is named explicitly, so resolving symlinks (a syscall, slow on NFS) buys nothing.
      realpath: false,
      lockfilePath: join(maildir, LOCK_NAME),
      // The default throws from a timer, which would crash the daemon. Another session may now hold the
      // lock (we were too slow to refresh it); the session goes on, so log it for the operator.
      onCompromised: (err) => logger.warn({ err, maildir }, 'maildrop lock compromised'),
    });
  } catch (err) {
    claimed.delete(key);
    if (hasErrorCode(err, 'ELOCKED')) throw new MaildropLockedError(maildir);
    throw err;
  }

  let released: Promise<void> | undefined;
  return () =>
    (released ??= release()
      .catch((err: unknown) => {
        // ERELEASED: already compromised and reported.
        if (!hasErrorCode(err, 'ERELEASED')) logger.warn({ err, maildir }, 'could not release maildrop lock');
      })
      .finally(() => claimed.delete(key)));
}
