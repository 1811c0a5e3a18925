import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from './errno.js';
import { MESSAGE_DIRS, type MessageDir } from './maildir-layout.js';
import { compareSortKeys, parseMaildirName, sortKey } from './maildir-name.js';
import type { FileVersion, WireSizeCache } from './wire-size-cache.js';
import { addChunk, emptyTally, parseNameSizes, wireSize, type SizeTally } from './wire-size.js';

/** A message found in cur/ or new/, with the size POP3 announces for it. */
export interface ListedMessage {
  readonly baseName: string;
  readonly path: string;
  readonly wireSize: number;
}

/** A listed message as the size cache keeps it: where it was seen, and which version of the file was measured. */
export interface ScannedMessage extends ListedMessage {
  readonly dir: MessageDir;
  /** The file's name in `dir`: the base name, then the info (flags) part if any. */
  readonly name: string;
  /** Size and mtime of the file when its wire size was measured; undefined when the name carries `W=`. */
  readonly version: FileVersion | undefined;
}

/** Wire sizes known from elsewhere (the persistent cache), by base name, each for one version of the file. */
export interface KnownSizes {
  has(baseName: string): boolean;
  /** The size measured on this version of the file, else undefined. */
  get(baseName: string, version: FileVersion): number | undefined;
}

export interface ScanOptions {
  readonly sizes: WireSizeCache;
  readonly known?: KnownSizes | undefined;
}

interface Candidate {
  readonly dir: MessageDir;
  /** join(maildir, dir) */
  readonly dirPath: string;
  readonly name: string;
  readonly baseName: string;
}

/**
 * Synchronous file-system calls (a local stat or a small read takes microseconds, less than the round trip of
 * an asynchronous one) run in slices of at most this long; between slices other sessions get the event loop.
 */
const SLICE_MS = 4;
/** Files up to this size are measured with synchronous reads; larger ones are streamed. */
const SYNC_READ_MAX = 1 << 20;
/** O_NOFOLLOW: a message swapped for a symlink is not followed; O_NONBLOCK: nor is a FIFO waited on. */
const MEASURE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** What measureSync says of a file above SYNC_READ_MAX. */
const LARGE = Symbol('large');
/** Scratch space of the synchronous reads; only ever used within one synchronous call. */
const readBuffer = Buffer.allocUnsafe(1 << 16);

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `work` over `items` synchronously, yielding to the event loop every SLICE_MS. */
async function inSlices<T>(items: readonly T[], work: (item: T) => void): Promise<void> {
  let sliceStart = performance.now();
  for (const item of items) {
    work(item);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
}

/**
 * Regular, non-hidden files of cur/ and new/, one per base name, the first seen (cur/ first: a message being
 * moved may briefly be linked in both). The directory entry's type says "regular file" without a stat (Node
 * stats only where the file system does not report types), so a symlink planted in the Maildir is never listed:
 * the daemon must not serve a file the user cannot read. Dotfiles are editor or tool droppings, never mail.
 */
async function candidatesIn(maildir: string): Promise<Candidate[]> {
  const listings = await Promise.all(MESSAGE_DIRS.map((dir) => readdir(join(maildir, dir), { withFileTypes: true })));
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  MESSAGE_DIRS.forEach((dir, index) => {
    const dirPath = join(maildir, dir);
    for (const entry of listings[index] ?? []) {
      if (entry.name.startsWith('.') || !entry.isFile()) continue;
      const { baseName } = parseMaildirName(entry.name);
      if (seen.has(baseName)) continue;
      seen.add(baseName);
      candidates.push({ dir, dirPath, name: entry.name, baseName });
    }
  });
  return candidates;
}

const pathOf = (candidate: Candidate): string => `${candidate.dirPath}/${candidate.name}`;

function scanned(candidate: Candidate, wireSize: number, version: FileVersion | undefined): ScannedMessage {
  const { dir, name, baseName } = candidate;
  return { baseName, path: pathOf(candidate), wireSize, dir, name, version };
}

/** Gone since readdir, or no longer a regular file (O_NOFOLLOW on a symlink fails with ELOOP). */
const vanished = (err: unknown): boolean => hasErrorCode(err, 'ENOENT') || hasErrorCode(err, 'ELOOP');

interface Measured {
  readonly version: FileVersion;
  readonly wireSize: number;
  /** False when the file changed while it was read: the size is then not remembered. */
  readonly stable: boolean;
}

function measured(stats: { size: number; mtimeMs: number }, tally: SizeTally): Measured {
  return { version: { size: stats.size, mtimeMs: stats.mtimeMs }, wireSize: wireSize(tally), stable: tally.stored === stats.size };
}

/**
 * Reads a small file synchronously, up to the size fstat gave (a file that grows meanwhile is remeasured next
 * time: its size and mtime no longer match); undefined when it is no message (any more).
 */
function measureSync(path: string): Measured | typeof LARGE | undefined {
  let fd: number;
  try {
    fd = openSync(path, MEASURE_FLAGS);
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return undefined;
    if (stats.size > SYNC_READ_MAX) return LARGE;
    let tally = emptyTally;
    while (tally.stored < stats.size) {
      const n = readSync(fd, readBuffer, 0, Math.min(readBuffer.length, stats.size - tally.stored), null);
      if (n === 0) break;
      tally = addChunk(tally, readBuffer.subarray(0, n));
    }
    return measured(stats, tally);
  } finally {
    closeSync(fd);
  }
}

/** Streams a large file in 256 KiB reads, so that it never sits in memory. */
async function measureStreamed(path: string): Promise<Measured | undefined> {
  let handle;
  try {
    handle = await open(path, MEASURE_FLAGS);
  } catch (err) {
    if (vanished(err)) return undefined;
    throw err;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    const buffer = Buffer.allocUnsafe(1 << 18);
    let tally = emptyTally;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      tally = addChunk(tally, buffer.subarray(0, bytesRead));
    }
    return measured(stats, tally);
  } finally {
    await handle.close();
  }
}

/**
 * parseNameSizes(baseName).wire, without its allocations for the common cases (100,000 names per listing):
 * no `,W=` at all, or one well-formed `,W=<digits>` last; anything else goes to parseNameSizes.
 */
function wireSizeInName(baseName: string): number | undefined {
  const at = baseName.lastIndexOf(',W=');
  if (at === -1) return undefined;
  let end = at + 3;
  while (end < baseName.length && baseName.charCodeAt(end) >= 0x30 && baseName.charCodeAt(end) <= 0x39) end++;
  const value = Number(baseName.slice(at + 3, end));
  const wellFormed = end > at + 3 && (end === baseName.length || baseName[end] === ',') && Number.isSafeInteger(value);
  return wellFormed ? value : parseNameSizes(baseName).wire;
}

/** Oldest first (see compareBaseNames), each name parsed once. */
function sortMessages(messages: readonly ScannedMessage[]): ScannedMessage[] {
  return messages
    .map((message) => ({ message, key: sortKey(message.baseName) }))
    .sort((a, b) => compareSortKeys(a.key, b.key))
    .map(({ message }) => message);
}

/**
 * The messages of cur/ and new/, oldest first, with their wire sizes: from `W=` in the name when there is one
 * (no stat at all), else from a cache while the file's size and mtime are those it was measured at, else by
 * reading the file once. tmp/ is never looked at: its files are still being written.
 */
export async function scanMaildir(maildir: string, { sizes, known }: ScanOptions): Promise<ScannedMessage[]> {
  const found: ScannedMessage[] = [];
  const unsized: Candidate[] = [];
  for (const candidate of await candidatesIn(maildir)) {
    const wire = wireSizeInName(candidate.baseName);
    if (wire === undefined) unsized.push(candidate);
    else found.push(scanned(candidate, wire, undefined));
  }
  // Messages no cache knows are measured straight away; for the others a stat tells whether the cached
  // size is still that of the file (lstat, not stat: a symlink that replaced the file is no message).
  const small: Candidate[] = [];
  const large: Candidate[] = [];
  await inSlices(unsized, (candidate) => {
    if (!sizes.has(maildir, candidate.baseName) && known?.has(candidate.baseName) !== true) {
      small.push(candidate);
      return;
    }
    const stats = lstatSync(pathOf(candidate), { throwIfNoEntry: false });
    if (stats === undefined || !stats.isFile()) return;
    const version = { size: stats.size, mtimeMs: stats.mtimeMs };
    const cached = sizes.lookup(maildir, candidate.baseName, version) ?? known?.get(candidate.baseName, version);
    if (cached !== undefined) found.push(scanned(candidate, cached, version));
    else (stats.size <= SYNC_READ_MAX ? small : large).push(candidate);
  });
  const add = (candidate: Candidate, result: Measured | undefined): void => {
    if (result === undefined) return;
    if (result.stable) sizes.remember(maildir, candidate.baseName, result.version, result.wireSize);
    found.push(scanned(candidate, result.wireSize, result.stable ? result.version : undefined));
  };
  await inSlices(small, (candidate) => {
    const result = measureSync(pathOf(candidate));
    // Not stat'ed before, and larger than thought: streamed instead, one at a time.
    if (result === LARGE) large.push(candidate);
    else add(candidate, result);
  });
  // One at a time: few messages are this large, and each read is already a long sequential one.
  for (const candidate of large) add(candidate, await measureStreamed(pathOf(candidate)));
  return sortMessages(found);
}

/** Where the message with this base name is now (another tool may have moved it or changed its flags). */
export async function locateMessage(maildir: string, baseName: string): Promise<string | undefined> {
  for (const dir of MESSAGE_DIRS) {
    let names: string[];
    try {
      names = await readdir(join(maildir, dir));
    } catch (err) {
      if (hasErrorCode(err, 'ENOENT')) continue;
      throw err;
    }
    const name = names.find((candidate) => parseMaildirName(candidate).baseName === baseName);
    if (name !== undefined) return join(maildir, dir, name);
  }
  return undefined;
}
