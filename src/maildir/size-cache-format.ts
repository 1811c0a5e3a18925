import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { flatString } from '../process/flat-string.js';
import { hasEscapedBytes, nameBytes, nameFromBytes } from './file-names.js';
import { MESSAGE_DIRS } from './layout.js';
import type { ScannedMessage } from './listing-types.js';

/**
 * The bytes of the size cache file (see size-cache-file.ts). Binary, because parsing 100,000 rows of JSON was
 * most of the first login after a restart; the numbers are copied out whole and the names split in one call:
 *
 *   `pop3d-sizes 2 le\n`     magic, with the byte order of the numbers (another order is a foreign file)
 *   32 bytes                  SHA-256 of everything after them: a torn or damaged file is refused
 *   `{"stamps":[...],"settled":true,"count":N,"namesBytes":B}\n`
 *   N x 3 float64             per message: wire size, file size (-1: none), mtime in ms (-1: none)
 *   N x uint32                per message: base name length x 4 + index of its directory in MESSAGE_DIRS
 *   B bytes                   the file names, each as its bytes on disk, each ended by a NUL (no name holds one)
 */
const MAGIC = Buffer.from(`pop3d-sizes 2 ${endianness().toLowerCase()}\n`, 'latin1');
/** What the first version of the file (JSON) starts with: replaced without complaint. */
export const OLDER_MAGIC = Buffer.from('pop3d-sizes 1 ', 'latin1');
const DIGEST_BYTES = 32;
const FLOATS = 3;
/** Bytes per message in the number arrays. */
const ROW_BYTES = FLOATS * 8 + 4;
const NUL = 0;
/** Messages per piece: about a millisecond's work to encode. */
const PIECE = 10_000;

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

interface Header {
  readonly stamps: unknown;
  readonly settled: unknown;
  readonly count: unknown;
  readonly namesBytes: unknown;
}

export class SizeCacheFormatError extends Error {
  constructor(reason: string) {
    super(`unusable size cache: ${reason}`);
    this.name = 'SizeCacheFormatError';
  }
}

const asBytes = (array: Float64Array | Uint32Array): Buffer => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

/** The names of `messages` as on disk, each ended by a NUL: one native encoding unless a name holds escaped bytes. */
function namesPiece(messages: readonly ScannedMessage[]): Buffer {
  const joined = `${messages.map((m) => m.name).join('\0')}\0`;
  if (!hasEscapedBytes(joined)) return Buffer.from(joined, 'utf8');
  return Buffer.concat(messages.flatMap((m) => [nameBytes(m.name), Buffer.of(NUL)]));
}

/**
 * Everything after the digest, in pieces of PIECE messages, so that encoding 100,000 can be sliced. The names
 * are encoded before the header (which gives their length): each of those steps yields undefined, a point to
 * pause at with nothing to write yet, so that they are not one long step of their own.
 */
export function* bodyPieces(listing: CachedListing): Generator<Buffer | undefined> {
  const { messages } = listing;
  const names: Buffer[] = [];
  for (let start = 0; start < messages.length; start += PIECE) {
    names.push(namesPiece(messages.slice(start, start + PIECE)));
    yield undefined;
  }
  const namesBytes = names.reduce((sum, piece) => sum + piece.length, 0);
  const header = { stamps: listing.stamps, settled: listing.settled, count: messages.length, namesBytes };
  yield Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
  for (let start = 0; start < messages.length; start += PIECE) {
    const piece = messages.slice(start, start + PIECE);
    const numbers = new Float64Array(piece.length * FLOATS);
    piece.forEach((m, i) => {
      numbers[i * FLOATS] = m.wireSize;
      numbers[i * FLOATS + 1] = m.version?.size ?? -1;
      numbers[i * FLOATS + 2] = m.version?.mtimeMs ?? -1;
    });
    yield asBytes(numbers);
  }
  for (let start = 0; start < messages.length; start += PIECE) {
    const packed = Uint32Array.from(messages.slice(start, start + PIECE), (m) => m.baseName.length * 4 + MESSAGE_DIRS.indexOf(m.dir));
    yield asBytes(packed);
  }
  yield* names;
}

/** The file's bytes: magic, digest, body. */
export function assembleSizeCache(pieces: readonly Buffer[], digest: Buffer): Buffer {
  return Buffer.concat([MAGIC, digest, ...pieces]);
}

export function encodeSizeCache(listing: CachedListing): Buffer {
  const pieces = [...bodyPieces(listing)].filter((piece) => piece !== undefined);
  const hash = createHash('sha256');
  for (const piece of pieces) hash.update(piece);
  return assembleSizeCache(pieces, hash.digest());
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function parseHeader(body: Buffer): { stamps: DirStamp[]; settled: boolean; count: number; namesBytes: number; end: number } {
  const newline = body.indexOf(0x0a);
  let header: Header;
  try {
    header = JSON.parse(body.toString('utf8', 0, newline === -1 ? body.length : newline)) as Header;
  } catch {
    throw new SizeCacheFormatError('bad header');
  }
  const { stamps, settled, count, namesBytes } = header ?? {};
  if (!Array.isArray(stamps) || stamps.length !== MESSAGE_DIRS.length || !stamps.every((s) => typeof s === 'string')) {
    throw new SizeCacheFormatError('bad stamps');
  }
  if (typeof settled !== 'boolean' || !isCount(count) || !isCount(namesBytes)) throw new SizeCacheFormatError('bad listing');
  return { stamps: stamps as DirStamp[], settled, count, namesBytes, end: newline + 1 };
}

/** The names in `block`, each ended by a NUL; decoded byte-exactly (file-names.ts) when not all UTF-8. */
function splitNames(block: Buffer): string[] {
  if (isUtf8(block)) {
    const names = block.toString('utf8').split('\0');
    if (names.pop() !== '') throw new SizeCacheFormatError('bad file name');
    return names;
  }
  const names: string[] = [];
  let start = 0;
  for (let end = block.indexOf(NUL); end !== -1; end = block.indexOf(NUL, start)) {
    names.push(nameFromBytes(block.subarray(start, end)));
    start = end + 1;
  }
  if (start !== block.length) throw new SizeCacheFormatError('bad file name');
  return names;
}

/** A copy of `length` bytes at `at`, as numbers: the file's buffer need not be aligned for a typed array. */
function copyOut<T extends Float64Array | Uint32Array>(array: T, bytes: Buffer, at: number): T {
  new Uint8Array(array.buffer).set(bytes.subarray(at, at + array.byteLength));
  return array;
}

/** The listing in `bytes`, with paths under `maildir`; throws SizeCacheFormatError for anything but a whole, valid file. */
export function decodeSizeCache(maildir: string, bytes: Buffer): CachedListing {
  if (bytes.length < MAGIC.length + DIGEST_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SizeCacheFormatError('unknown format');
  }
  const body = bytes.subarray(MAGIC.length + DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(bytes.subarray(MAGIC.length, MAGIC.length + DIGEST_BYTES))) throw new SizeCacheFormatError('digest mismatch');
  const { stamps, settled, count, namesBytes, end } = parseHeader(body);
  if (body.length !== end + count * ROW_BYTES + namesBytes) throw new SizeCacheFormatError('bad length');
  const numbers = copyOut(new Float64Array(count * FLOATS), body, end);
  const packed = copyOut(new Uint32Array(count), body, end + count * FLOATS * 8);
  const names = splitNames(body.subarray(end + count * ROW_BYTES));
  if (names.length !== count) throw new SizeCacheFormatError('bad file name');
  // Flat, so that each path is one piece on it (see flat-string.ts).
  const prefixes = MESSAGE_DIRS.map((dir) => flatString(`${join(maildir, dir)}/`));
  return { stamps, settled, messages: names.map((name, i) => decodeMessage(prefixes, name, packed[i]!, numbers, i * FLOATS)) };
}

function decodeMessage(prefixes: readonly string[], name: string, packed: number, numbers: Float64Array, at: number): ScannedMessage {
  const dirIndex = packed & 3;
  const dir = MESSAGE_DIRS[dirIndex];
  // A name from the file never leaves its directory: no separator, no dot names.
  if (dir === undefined || name.length === 0 || name.charCodeAt(0) === 0x2e || name.includes('/')) throw new SizeCacheFormatError('bad file name');
  const baseLength = packed >>> 2;
  const wireSize = numbers[at]!;
  if (baseLength === 0 || baseLength > name.length || !isCount(wireSize)) throw new SizeCacheFormatError('bad sizes');
  const size = numbers[at + 1]!;
  const mtimeMs = numbers[at + 2]!;
  const measured = size !== -1;
  if (measured && (!isCount(size) || !Number.isFinite(mtimeMs))) throw new SizeCacheFormatError('bad file version');
  return {
    baseName: baseLength === name.length ? name : name.slice(0, baseLength),
    path: prefixes[dirIndex]! + name,
    wireSize,
    dir,
    name,
    version: measured ? { size, mtimeMs } : undefined,
  };
}
