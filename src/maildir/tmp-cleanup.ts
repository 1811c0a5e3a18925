/**
 * tmp/ holds messages being delivered. One left there for 36 hours belongs to a delivery that died, and is
 * removed at login, as Dovecot does (MAILDIR_TMP_DELETE_SECS, judged by the file's ctime as Dovecot judges it):
 * at a Maildir's first login in this process, then at most once an hour (TmpScanSchedule).
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';

export const TMP_MAX_AGE_MS = 36 * 60 * 60 * 1000;

/** Removes the files of `<maildir>/tmp` older than 36 hours at `now` (ms); resolves with how many went. */
export async function removeOldTmpFiles(maildir: string, now: number = Date.now()): Promise<number> {
  const tmp = join(maildir, 'tmp');
  let names: string[];
  try {
    names = await readdir(tmp);
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(tmp, name);
    try {
      const stats = await lstat(path);
      if (stats.isDirectory() || stats.ctimeMs >= now - TMP_MAX_AGE_MS) continue;
      await unlink(path);
      removed++;
    } catch (err) {
      if (!hasErrorCode(err, 'ENOENT')) throw err;
    }
  }
  return removed;
}

/** How often one Maildir's tmp/ is looked at: a file must be 36 hours old to go, so an hour late is soon enough. */
export const TMP_SCAN_INTERVAL_MS = 60 * 60 * 1000;
/** Maildirs remembered; past this the longest-remembered is forgotten (and looked at again at its next login). */
const REMEMBERED = 100_000;

/**
 * Which logins look at tmp/: the first of each Maildir in this process, then one an hour. Reading tmp/ at every
 * login cost a directory read per session for files that are almost never there.
 */
export class TmpScanSchedule {
  /** Maildir -> when its tmp/ was last looked at (ms); oldest first, as a Map keeps insertion order. */
  readonly #scanned = new Map<string, number>();

  /** Whether `maildir`'s tmp/ is due at time `now` (ms); if so, it counts as looked at now. */
  due(maildir: string, now: number = Date.now()): boolean {
    const last = this.#scanned.get(maildir);
    if (last !== undefined && now - last < TMP_SCAN_INTERVAL_MS) return false;
    this.#scanned.delete(maildir);
    this.#scanned.set(maildir, now);
    if (this.#scanned.size > REMEMBERED) this.#scanned.delete(this.#scanned.keys().next().value!);
    return true;
  }
}
