import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';
import { MESSAGE_DIRS } from './layout.js';
import type { ScannedMessage } from './listing.js';
import { SLICE_MS, yieldToEventLoop } from '../process/slices.js';

/**
 * The persistent size cache of one Maildir: its last listing, with the wire size of every message and the
 * version (size, mtime) of the file each was measured on, so the next daemon does not read every message again.
 *
 * It lives in the Maildir's top folder, beside the lock, never in cur/ new/ tmp/, so it is never taken for mail.
 * A crash cannot make it wrong, only missing or stale: it is replaced by rename (atomic), a torn or damaged file
 * fails its digest and is ignored, a size is used only while the file still has the size and mtime it had when
 * measured, and the listing as a whole only while cur/ and new/ are unchanged (see ListingIndex).
 */
export const SIZE_CACHE_NAME = 'pop3d.sizes';

const MAGIC = 'pop3d-sizes 1';

/** One state of a directory: inode, mtime and ctime in nanoseconds (ctime cannot be set back with utimes). */
export type DirStamp = string;

export interface CachedListing {
  /** Stamps of cur/ and new/, taken before they were read. */
  readonly stamps: readonly DirStamp[];
  /** Whether the directories had been unchanged long enough before they were read for the stamps to be trusted. */
  readonly settled: boolean;
  /** The listing, oldest first. */
  readonly messages: readonly ScannedMessage[];
}

/** [dir index, file name, base name length, wire size, stored size or -1, mtime ms or -1] */
type Row = [number, string, number, number, number, number];

interface Body {
  readonly stamps: readonly DirStamp[];
  readonly settled: boolean;
  readonly messages: readonly Row[];
}

export class SizeCacheFormatError extends Error {
  constructor(reason: string) {
    super(`unusable size cache: ${reason}`);
    this.name = 'SizeCacheFormatError';
  }
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Messages encoded per piece: about a millisecond's work. */
const ROWS_PER_PIECE = 2_000;

const row = (m: ScannedMessage): Row => [MESSAGE_DIRS.indexOf(m.dir), m.name, m.baseName.length, m.wireSize, m.version?.size ?? -1, m.version?.mtimeMs ?? -1];

/** The JSON of the Body, in pieces of ROWS_PER_PIECE messages, so that encoding 100,000 can be sliced. */
function* bodyPieces(listing: CachedListing): Generator<string> {
  yield `{"stamps":${JSON.stringify(listing.stamps)},"settled":${JSON.stringify(listing.settled)},"messages":[`;
  const { messages } = listing;
  for (let start = 0; start < messages.length; start += ROWS_PER_PIECE) {
    const rows = JSON.stringify(messages.slice(start, start + ROWS_PER_PIECE).map(row));
    yield `${start === 0 ? '' : ','}${rows.slice(1, -1)}`;
  }
  yield ']}';
}

export function encodeSizeCache(listing: CachedListing): string {
  const text = [...bodyPieces(listing)].join('');
  return `${MAGIC} ${digest(text)}\n${text}`;
}

/** encodeSizeCache, yielding to the event loop every SLICE_MS: a session's next command need not wait for it. */
async function encodeInSlices(listing: CachedListing): Promise<string> {
  const hash = createHash('sha256');
  const pieces: string[] = [];
  let sliceStart = performance.now();
  for (const piece of bodyPieces(listing)) {
    hash.update(piece);
    pieces.push(piece);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return `${MAGIC} ${hash.digest('hex')}\n${pieces.join('')}`;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function decodeRow(dirPaths: readonly string[], row: unknown): ScannedMessage {
  if (!Array.isArray(row) || row.length !== 6) throw new SizeCacheFormatError('malformed entry');
  const [dirIndex, name, baseLength, wireSize, size, mtimeMs] = row as unknown[];
  const dir = Number.isInteger(dirIndex) ? MESSAGE_DIRS[dirIndex as number] : undefined;
  // A name from the file never leaves its directory: no separator, no dot names.
  if (dir === undefined || typeof name !== 'string' || name.length === 0 || name.includes('/') || name.startsWith('.')) {
    throw new SizeCacheFormatError('bad file name');
  }
  if (!isCount(baseLength) || baseLength === 0 || baseLength > name.length || !isCount(wireSize)) {
    throw new SizeCacheFormatError('bad sizes');
  }
  const measured = size !== -1;
  if (measured && (!isCount(size) || typeof mtimeMs !== 'number' || !Number.isFinite(mtimeMs))) {
    throw new SizeCacheFormatError('bad file version');
  }
  return {
    baseName: name.slice(0, baseLength),
    path: `${dirPaths[dirIndex as number]}/${name}`,
    wireSize,
    dir,
    name,
    version: measured ? { size: size as number, mtimeMs: mtimeMs as number } : undefined,
  };
}

/** The listing in `text`, with paths under `maildir`; throws SizeCacheFormatError for anything but a whole, valid file. */
export function decodeSizeCache(maildir: string, text: string): CachedListing {
  const newline = text.indexOf('\n');
  const header = newline === -1 ? text : text.slice(0, newline);
  if (!header.startsWith(`${MAGIC} `)) throw new SizeCacheFormatError('unknown format');
  const body = text.slice(newline + 1);
  if (header.slice(MAGIC.length + 1) !== digest(body)) throw new SizeCacheFormatError('digest mismatch');
  let parsed: Body;
  try {
    parsed = JSON.parse(body) as Body;
  } catch {
    throw new SizeCacheFormatError('not JSON');
  }
  const { stamps, settled, messages } = parsed;
  if (!Array.isArray(stamps) || stamps.length !== MESSAGE_DIRS.length || !stamps.every((s) => typeof s === 'string')) {
    throw new SizeCacheFormatError('bad stamps');
  }
  if (typeof settled !== 'boolean' || !Array.isArray(messages)) throw new SizeCacheFormatError('bad listing');
  const dirPaths = MESSAGE_DIRS.map((dir) => join(maildir, dir));
  return { stamps, settled, messages: messages.map((row) => decodeRow(dirPaths, row)) };
}

/** The cached listing of `maildir`; undefined when there is none. Rejects with SizeCacheFormatError when unusable. */
export async function readSizeCache(maildir: string): Promise<CachedListing | undefined> {
  let text: string;
  try {
    text = await readFile(join(maildir, SIZE_CACHE_NAME), 'utf8');
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
  return decodeSizeCache(maildir, text);
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
