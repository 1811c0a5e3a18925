/**
 * Dovecot's dotlock (lib/file-dotlock.c) on `<file>.lock`, so that no two writers of a file that is rewritten whole
 * (pop3d and Dovecot on dovecot-uidlist, pop3d processes on the users file) read and replace it at once: created with O_EXCL, holding `<pid>:<hostname>`. A lock is stale, and removed, when its process is gone
 * (same host) or it has not changed for `staleMs` (Dovecot's uidlist: 120 s). Held for milliseconds only.
 */
import { hostname } from 'node:os';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasErrorCode } from '../process/errno.js';

export interface DotlockOptions {
  /** Give up (reject) after waiting this long for a live lock. */
  readonly timeoutMs?: number;
  /** A lock unchanged this long is stale (MAILDIR_UIDLIST_LOCK_STALE_TIMEOUT). */
  readonly staleMs?: number;
  readonly now?: () => number;
}

export class DotlockTimeoutError extends Error {
  constructor(path: string) {
    super(`timed out waiting for the lock ${path}`);
    this.name = 'DotlockTimeoutError';
  }
}

export type ReleaseDotlock = () => Promise<void>;

const HOST = hostname();

/** True when nobody holds the lock any more: its process died (on this host), or it went stale. */
async function isStale(lockPath: string, staleMs: number, now: number): Promise<boolean> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, { mtimeMs }] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return false;
    throw err;
  }
  const [pid, host] = content.trim().split(':');
  if (host === HOST && pid !== undefined && /^\d+$/u.test(pid) && Number(pid) !== process.pid && !processAlive(Number(pid))) return true;
  return now - mtimeMs > staleMs;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !hasErrorCode(err, 'ESRCH');
  }
}

/** Takes the dotlock of `path`; resolves with its release. */
export async function acquireDotlock(path: string, options: DotlockOptions = {}): Promise<ReleaseDotlock> {
  const lockPath = `${path}.lock`;
  const { timeoutMs = 10_000, staleMs = 120_000, now = Date.now } = options;
  const deadline = now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}:${HOST}`);
      } finally {
        await handle.close();
      }
      return async () => {
        await unlink(lockPath).catch((err: unknown) => {
          if (!hasErrorCode(err, 'ENOENT')) throw err;
        });
      };
    } catch (err) {
      if (!hasErrorCode(err, 'EEXIST')) throw err;
    }
    if (await isStale(lockPath, staleMs, now())) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (now() >= deadline) throw new DotlockTimeoutError(lockPath);
    await sleep(wait);
  }
}
