import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';
import { MESSAGE_DIRS } from './layout.js';
import type { Listing, ScannedMessage, ScanOptions } from './listing-types.js';
import { baseNameOf, oldestFirstOrder } from './name.js';
import { RESULT_FIELDS, Status, type MeasureKind } from '../sizes/measure-files.js';
import { measureJob, measurePool } from '../sizes/measure-pool.js';
import type { FileVersion } from '../sizes/wire-size-cache.js';
import { addChunk, emptyTally, parseNameSizes, wireSize } from '../sizes/wire-size.js';
import { fsPath } from './file-names.js';
import { readFileNames } from './dir-entries.js';
import { flatString } from '../process/flat-string.js';

/** Files up to this size are read synchronously (here or in a worker thread); larger ones are streamed. */
const SYNC_READ_MAX = 1 << 20;
/** Files per job. Fewer in all are measured on this thread: a worker thread would cost more to start. */
const JOB_FILES = 2_000;
/** How coarse file-system timestamps may be: a file changed this long before a scan has an mtime before it. */
const TIMESTAMP_SLACK_MS = 2_000;
/** O_NOFOLLOW: a message swapped for a symlink is not followed; O_NONBLOCK: nor is a FIFO waited on. */
const MEASURE_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * One listing of a Maildir in the making. Directory entries are read in slices and sorted out as they come:
 * size in the name, cached size to check with a stat, or file to read. Stats and reads go out in jobs of
 * `jobFiles` names of one directory, to worker threads as soon as the first job is full, so the threads
 * measure while the directory is still being read; a Maildir with fewer files to measure is measured on this
 * thread.
 *
 * A file is read without a stat (open, read, close): the threads' calls are what the listing waits for,
 * and an fstat after each read made the first listing of 100,000 files a tenth slower. The version its size
 * is remembered under (size and mtime) comes from a stat afterwards, while the session goes on: trusted only
 * when the stat finds as many bytes as were read, and an mtime older than the scan (so the file cannot have
 * changed since it was read); else the size is not remembered.
 */
export class MaildirScan {
  readonly #maildir: string;
  readonly #options: ScanOptions;
  readonly #jobFiles: number;
  readonly #dirPaths: string[];
  /** `<dir path>/`, flat: a message's path is then one piece on it (see flat-string.ts), not two. */
  readonly #dirPrefixes: string[];
  // Every regular file, by index, in parallel arrays; the message once its size is known (never, if gone).
  readonly #dirs: number[] = [];
  readonly #names: string[] = [];
  readonly #baseNames: string[] = [];
  readonly #messages: (Mutable<ScannedMessage> | undefined)[] = [];
  /** Files read by this scan (by index), and how many bytes each had, waiting for their versions. */
  readonly #read: number[] = [];
  readonly #readBytes: number[] = [];
  /** Only a file last changed before this (ms since the epoch) was surely read as it is now. */
  readonly #settledBefore: number;
  /** Entries (by index) waiting to go out in a job, all of one directory. */
  readonly #waiting: Record<MeasureKind, number[]> = { stat: [], measure: [] };
  readonly #large: number[] = [];
  readonly #running = new Set<Promise<void>>();
  /** A job went to the threads: the rest follows it there. */
  #threaded = false;
  #failure: { readonly error: unknown } | undefined;

  constructor(maildir: string, options: ScanOptions) {
    this.#maildir = maildir;
    this.#options = options;
    this.#jobFiles = Math.max(1, options.jobFiles ?? JOB_FILES);
    this.#settledBefore = options.settledBefore ?? Date.now() - TIMESTAMP_SLACK_MS;
    this.#dirPaths = MESSAGE_DIRS.map((dir) => join(maildir, dir));
    this.#dirPrefixes = this.#dirPaths.map((path) => flatString(`${path}/`));
  }

  /** Takes the messages of MESSAGE_DIRS[dir] (see readFileNames). */
  async readDir(dir: number): Promise<void> {
    await readFileNames(this.#dirPaths[dir]!, (name, escaped) => this.#take(dir, name, escaped));
  }

  /** The listing, oldest first, once every file is measured. Rejects with the first error met. */
  async finish(): Promise<Listing> {
    for (const kind of ['stat', 'measure'] as const) this.#send(kind);
    // The order depends on the names alone: sorted while the threads measure.
    const order = oldestFirstOrder(this.#baseNames);
    // Stats that find a file changed send it to be read: repeat until nothing waits and nothing runs.
    while (this.#running.size > 0) {
      await Promise.all(this.#running);
      if (this.#failure !== undefined) throw this.#failure.error;
      for (const kind of ['stat', 'measure'] as const) this.#send(kind);
    }
    // One at a time: few messages are this large, and each read is already a long sequential one.
    for (const i of this.#large) {
      const result = await measureStreamed(this.#pathOf(i)).catch((err: unknown) => {
        const code = unreadableCode(err);
        if (code === undefined) throw err;
        this.#options.unreadable?.(this.#pathOf(i), code);
        return undefined;
      });
      if (result === undefined) continue;
      this.#set(i, result.wireSize, result.stable ? result.version : undefined);
    }
    const messages = this.#listing(order);
    const versioned = this.#version().then(
      () => this.#remember(messages),
      // A stat that fails leaves the sizes of this scan unremembered: the next scan reads those files again.
      () => undefined,
    );
    return { messages, versioned };
  }

  /**
   * Gives the files read by this scan the versions they were read at, where that is sure (see the class).
   * One job at a time, of one directory each: the session this listing is for goes on meanwhile, and should
   * keep a core.
   */
  async #version(): Promise<void> {
    const pool = this.#threaded ? (this.#options.pool ?? measurePool) : undefined;
    for (const dir of MESSAGE_DIRS.keys()) {
      const read: number[] = [];
      for (let k = 0; k < this.#read.length; k++) if (this.#dirs[this.#read[k]!] === dir) read.push(k);
      for (let start = 0; start < read.length; start += this.#jobFiles) {
        const ks = read.slice(start, start + this.#jobFiles);
        const names = ks.map((k) => this.#names[this.#read[k]!]!);
        const out = await measureJob('stat', this.#dirPaths[dir]!, names, SYNC_READ_MAX, pool);
        ks.forEach((k, n) => {
          const at = n * RESULT_FIELDS;
          const size = out[at + 1]!;
          const mtimeMs = out[at + 2]!;
          if (out[at] === Status.ok && size === this.#readBytes[k] && mtimeMs < this.#settledBefore) {
            this.#messages[this.#read[k]!]!.version = { size, mtimeMs };
          }
        });
      }
    }
  }

  #remember(messages: readonly ScannedMessage[]): void {
    const { sizes, rememberBelow = Number.POSITIVE_INFINITY } = this.#options;
    if (messages.length >= rememberBelow) return;
    for (const { baseName, version, wireSize } of messages) if (version !== undefined) sizes.remember(this.#maildir, baseName, version, wireSize);
  }

  /**
   * The messages in `order`, one per base name: the first one seen (cur/ is read first: a message being
   * moved may briefly be linked in both). Equal names are neighbours in index order, so the first present
   * one of each run is the one to keep.
   */
  #listing(order: readonly number[]): ScannedMessage[] {
    const listing = new Array<ScannedMessage>(order.length);
    let length = 0;
    let previous: string | undefined;
    for (const i of order) {
      const message = this.#messages[i];
      if (message === undefined || message.baseName === previous) continue;
      previous = message.baseName;
      listing[length++] = message;
    }
    listing.length = length;
    return listing;
  }

  #take(dir: number, name: string, escaped: boolean): void {
    const baseName = baseNameOf(name);
    const i = this.#names.length;
    this.#dirs.push(dir);
    this.#names.push(name);
    this.#baseNames.push(baseName);
    this.#messages.push(undefined);
    const wire = wireSizeInName(baseName);
    if (wire !== undefined) {
      this.#set(i, wire, undefined);
      return;
    }
    // Rare, and its path is bytes that a job's string paths cannot carry: measured here, streamed.
    if (escaped) {
      this.#large.push(i);
      return;
    }
    // A size cached for some version of the file needs a stat to tell whether it is this one (lstat: a
    // symlink that replaced the file is no message); a file no cache knows is read straight away.
    const { sizes, known } = this.#options;
    this.#wait(sizes.has(this.#maildir, baseName) || known?.has(baseName) === true ? 'stat' : 'measure', i);
  }

  #wait(kind: MeasureKind, i: number): void {
    // A job's names are all of one directory: a job of the other one goes first.
    if (this.#waiting[kind].length > 0 && this.#dirs[this.#waiting[kind][0]!] !== this.#dirs[i]) this.#send(kind);
    const waiting = this.#waiting[kind];
    waiting.push(i);
    if (waiting.length >= this.#jobFiles) {
      this.#threaded = true;
      this.#send(kind);
    }
  }

  /** Sends what waits as one job: to the threads once they have been called on, else run on this thread. */
  #send(kind: MeasureKind): void {
    const indexes = this.#waiting[kind];
    if (indexes.length === 0) return;
    this.#waiting[kind] = [];
    const dir = this.#dirPaths[this.#dirs[indexes[0]!]!]!;
    const names = indexes.map((i) => this.#names[i]!);
    const pool = this.#threaded ? (this.#options.pool ?? measurePool) : undefined;
    const job: Promise<void> = measureJob(kind, dir, names, SYNC_READ_MAX, pool)
      .then((out) => this.#settle(kind, indexes, out))
      // Kept until finish() looks, never left unhandled in between.
      .catch((error: unknown) => void (this.#failure ??= { error }))
      .finally(() => this.#running.delete(job));
    this.#running.add(job);
  }

  #settle(kind: MeasureKind, indexes: readonly number[], out: Float64Array): void {
    const { sizes, known } = this.#options;
    indexes.forEach((i, k) => {
      const at = k * RESULT_FIELDS;
      const status = out[at];
      if (status === Status.gone) return;
      if (status === Status.unreadable) return this.#options.unreadable?.(this.#pathOf(i), out[at + 1] === 1 ? 'EPERM' : 'EACCES');
      if (kind === 'stat') {
        const baseName = this.#baseNames[i]!;
        const version = { size: out[at + 1]!, mtimeMs: out[at + 2]! };
        const cached = sizes.lookup(this.#maildir, baseName, version) ?? known?.get(baseName, version);
        if (cached !== undefined) this.#set(i, cached, version);
        else if (version.size > SYNC_READ_MAX) this.#large.push(i);
        else this.#wait('measure', i);
      } else if (status === Status.large) {
        // Not stat'ed before, and larger than thought: streamed instead.
        this.#large.push(i);
      } else {
        this.#set(i, out[at + 3]!, undefined);
        this.#read.push(i);
        this.#readBytes.push(out[at + 1]!);
      }
    });
  }

  #pathOf(i: number): string {
    return this.#dirPrefixes[this.#dirs[i]!]! + this.#names[i]!;
  }

  #set(i: number, wireSize: number, version: FileVersion | undefined): void {
    const dir = MESSAGE_DIRS[this.#dirs[i]!]!;
    this.#messages[i] = { baseName: this.#baseNames[i]!, path: this.#pathOf(i), wireSize, dir, name: this.#names[i]!, version };
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
  let value = 0;
  for (let c = baseName.charCodeAt(end); c >= 0x30 && c <= 0x39; c = baseName.charCodeAt(++end)) value = value * 10 + (c - 0x30);
  const wellFormed = end > at + 3 && (end === baseName.length || baseName[end] === ',') && Number.isSafeInteger(value);
  return wellFormed ? value : parseNameSizes(baseName).wire;
}

/** Gone since readdir, or no longer a regular file (O_NOFOLLOW on a symlink fails with ELOOP). */
const vanished = (err: unknown): boolean => hasErrorCode(err, 'ENOENT') || hasErrorCode(err, 'ELOOP');
/** The code of an error that says this process may not read the file, else undefined. */
const unreadableCode = (err: unknown): string | undefined => ['EACCES', 'EPERM'].find((code) => hasErrorCode(err, code));

interface Measured {
  readonly version: FileVersion;
  readonly wireSize: number;
  /** False when the file changed while it was read: the size is then not remembered. */
  readonly stable: boolean;
}

/** Streams a large file in 256 KiB reads, so that it never sits in memory. */
async function measureStreamed(path: string): Promise<Measured | undefined> {
  let handle;
  try {
    handle = await open(fsPath(path), MEASURE_FLAGS);
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
    const version = { size: stats.size, mtimeMs: stats.mtimeMs };
    return { version, wireSize: wireSize(tally), stable: tally.stored === stats.size };
  } finally {
    await handle.close();
  }
}
