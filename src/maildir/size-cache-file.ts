import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';
import { SLICE_MS, yieldToEventLoop } from '../process/slices.js';
import { assembleSizeCache, bodyPieces, decodeSizeCache, OLDER_MAGIC, type CachedListing } from './size-cache-format.js';

export { decodeSizeCache, encodeSizeCache, SizeCacheFormatError, type CachedListing, type DirStamp } from './size-cache-format.js';

/**
 * The persistent size cache of one Maildir: its last listing, with the wire size of every message and the
 * version (size, mtime) of the file each was measured on, so the next daemon does not read every message again.
 *
 * Its bytes are size-cache-format.ts's. It lives in the Maildir's top folder, beside the lock, never in cur/ new/
 * tmp/, so it is never taken for mail. A crash cannot make it wrong, only missing or stale: it is replaced by rename (atomic), a torn or damaged file
 * fails its digest and is ignored, a size is used only while the file still has the size and mtime it had when
 * measured, and the listing as a whole only while cur/ and new/ are unchanged (see ListingIndex).
 */
export const SIZE_CACHE_NAME = 'pop3d.sizes';

/** encodeSizeCache, yielding to the event loop every SLICE_MS: a session's next command need not wait for it. */
async function encodeInSlices(listing: CachedListing): Promise<Buffer> {
  const hash = createHash('sha256');
  const pieces: Buffer[] = [];
  let sliceStart = performance.now();
  for (const piece of bodyPieces(listing)) {
    if (piece !== undefined) {
      hash.update(piece);
      pieces.push(piece);
    }
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return assembleSizeCache(pieces, hash.digest());
}

/** The cached listing of `maildir`; undefined when there is none. Rejects with SizeCacheFormatError when unusable. */
export async function readSizeCache(maildir: string): Promise<CachedListing | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(maildir, SIZE_CACHE_NAME));
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
  // Written by an earlier version of the daemon: nothing is wrong, the next write replaces it.
  if (bytes.subarray(0, OLDER_MAGIC.length).equals(OLDER_MAGIC)) return undefined;
  return decodeSizeCache(maildir, bytes);
}

/**
 * Replaces the cache file atomically: written in full under a unique temporary name, then renamed over the old
 * one, so a reader (or the next daemon after a crash) sees the old file or the new one, never a mix. No fsync:
 * after a power loss the file may be empty or torn, which the digest catches, and the cache is rebuilt.
 */
export async function writeSizeCache(maildir: string, listing: CachedListing): Promise<void> {
  const target = join(maildir, SIZE_CACHE_NAME);
  const temporary = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await removeAbandoned(maildir);
  try {
    await writeFile(temporary, await encodeInSlices(listing), { mode: 0o600, flag: 'wx' });
    await rename(temporary, target);
  } catch (err) {
    await unlink(temporary).catch(() => undefined);
    throw err;
  }
}

/** A temporary file older than this was left by a daemon that died while writing it. */
const ABANDONED_MS = 10 * 60_000;
/** The temporary names writeSizeCache makes: `pop3d.sizes.<pid>.<hex>.tmp`. */
const TEMPORARY = /^pop3d\.sizes\.\d+\.[0-9a-f]+\.tmp$/u;

/** Removes temporary files of writes cut short by a crash (never one that may still be being written). */
async function removeAbandoned(maildir: string): Promise<void> {
  const names = (await readdir(maildir)).filter((name) => TEMPORARY.test(name));
  await Promise.all(
    names.map(async (name) => {
      const path = join(maildir, name);
      const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Number.POSITIVE_INFINITY }));
      if (Date.now() - mtimeMs > ABANDONED_MS) await unlink(path).catch(() => undefined);
    }),
  );
}
