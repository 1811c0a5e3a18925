/**
 * tmp/ holds messages being delivered. One left there for 36 hours belongs to a delivery that died, and is
 * removed at login, as Dovecot does (MAILDIR_TMP_DELETE_SECS, judged by the file's ctime as Dovecot judges it).
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
