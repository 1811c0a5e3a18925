import { randomBytes } from 'node:crypto';
import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hasErrorCode } from './errno.js';

/** A new users file holds password hashes: readable by its owner only. */
const NEW_FILE_MODE = 0o600;

const isMissing = (error: unknown): boolean => hasErrorCode(error, 'ENOENT');

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces the file at `path` with `text` so that readers, and a crash at any moment, see either the old file
 * or the new one whole: the text goes to a temp file in the same folder (rename is atomic only within one
 * filesystem), is fsynced, renamed over the original, and the folder is fsynced so the rename is durable too.
 * The new file keeps the old one's mode and owner; if the owner cannot be kept, nothing is replaced. A symlink
 * is followed, so the link stays. A crash can leave a `.name.*.tmp` file behind, never a damaged original.
 */
export async function replaceFileAtomically(path: string, text: string): Promise<void> {
  const target = await realpath(path).catch((error: unknown) => (isMissing(error) ? path : Promise.reject(error)));
  const previous: Stats | undefined = await stat(target).catch((error: unknown) =>
    isMissing(error) ? undefined : Promise.reject(error),
  );
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', NEW_FILE_MODE);
  try {
    try {
      if (previous !== undefined) {
        await handle.chown(previous.uid, previous.gid);
        await handle.chmod(previous.mode & 0o7777);
      }
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(dirname(target));
}
