import * as fs from 'node:fs';
import { SLICE_MS, yieldToEventLoop } from '../process/slices.js';
import { bareLineFeeds, type CountBareLineFeeds } from './wire-size.js';

/**
 * What is done to each file: 'measure' reads it for its wire size, 'stat' only lstats it (enough to tell
 * whether a cached size is still that of the file, and to give a file read the version it was read at).
 */
export type MeasureKind = 'measure' | 'stat';

/** Numbers per file in a result array: status, size, mtime (ms; 'stat' only), wire size ('measure' only). */
export const RESULT_FIELDS = 4;

/** Statuses, the first number of each result (measureFiles, being self-contained, spells them as literals). */
export const Status = {
  /** A regular file: 'stat' gives its size and mtime, 'measure' the bytes read and its wire size. */
  ok: 0,
  /** Gone since readdir, or no regular file (any more). */
  gone: 1,
  /** Larger than `readMax` ('measure' only): left for a streamed read. */
  large: 2,
  /** A file this process may not open ('measure' only); the next number is 1 for EPERM, 0 for EACCES. */
  unreadable: 3,
} as const;

/** The synchronous calls measureFiles makes. */
export type SyncFs = Pick<typeof fs, 'openSync' | 'fstatSync' | 'readSync' | 'closeSync' | 'lstatSync' | 'constants'>;

export interface MeasureTask {
  readonly kind: MeasureKind;
  /** The directory of the files, and their names in it: a name is a third of its path to send to a thread. */
  readonly dir: string;
  readonly names: readonly string[];
  /** RESULT_FIELDS numbers per name, written from index `from` on. */
  readonly out: Float64Array;
  /** Scratch space for reads (at least 2 bytes: one is kept for a sentinel). */
  readonly buffer: Buffer;
  /** Files above this many bytes are not read, but reported `large`. */
  readonly readMax: number;
  readonly from: number;
  /** performance.now() after which to stop (having done at least one file). */
  readonly until: number;
}

/**
 * Measures (or stats) `names[from..]` with synchronous calls until done or past `until`, and returns the index
 * reached. Three calls per measured file: open, one read for a small file, close. The wire size counts every
 * LF not preceded by a CR twice, plus 2 when the last byte is no LF, with `countBareLineFeeds` (always
 * wire-size.ts's bareLineFeeds; a parameter so that the threads get it from its source text too).
 *
 * It is also run in worker threads from its source text (measure-pool.ts), so it must stay self-contained:
 * no imports, no module constants, only its parameters and globals. Other errors than "gone" are thrown.
 */
export function measureFiles(sync: SyncFs, task: MeasureTask, countBareLineFeeds: CountBareLineFeeds): number {
  const { kind, dir, names, out, buffer, readMax, until } = task;
  // O_NOFOLLOW: a message swapped for a symlink is not followed; O_NONBLOCK: nor is a FIFO waited on.
  const flags = sync.constants.O_RDONLY | (sync.constants.O_NOFOLLOW ?? 0) | (sync.constants.O_NONBLOCK ?? 0);
  const codeOf = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;
  const LF = 10;
  const timed = until !== Number.POSITIVE_INFINITY;
  let index = task.from;
  while (index < names.length) {
    const path = `${dir}/${names[index]!}`;
    const at = index * 4;
    index += 1;
    out[at] = 1; // gone, unless found below
    if (kind === 'stat') {
      let stats;
      try {
        stats = sync.lstatSync(path);
      } catch (err) {
        if (codeOf(err) !== 'ENOENT') throw err;
      }
      if (stats?.isFile() === true) {
        out[at] = 0;
        out[at + 1] = stats.size;
        out[at + 2] = stats.mtimeMs;
      }
    } else {
      let fd;
      try {
        fd = sync.openSync(path, flags);
      } catch (err) {
        // Not ours to read: reported, and the rest is measured. Gone since readdir, or no longer a regular file
        // (O_NOFOLLOW on a symlink fails with ELOOP): left out. Anything else fails the job.
        if (codeOf(err) === 'EACCES' || codeOf(err) === 'EPERM') {
          out[at] = 3;
          out[at + 1] = codeOf(err) === 'EPERM' ? 1 : 0;
        } else if (codeOf(err) !== 'ENOENT' && codeOf(err) !== 'ELOOP') throw err;
      }
      if (fd !== undefined) {
        try {
          // No fstat: a short read is the end of a regular file, and the size is what was read. The caller
          // takes the file's version with a stat afterwards, once the listing it waits for is made.
          const request = buffer.length - 1;
          let status = 0;
          let stored = 0;
          let bareLineFeeds = 0;
          let last = -1;
          for (;;) {
            let n;
            try {
              n = sync.readSync(fd, buffer, 0, request, null);
            } catch (err) {
              // A directory, or a FIFO with a writer, swapped in since readdir.
              if (codeOf(err) !== 'EISDIR' && codeOf(err) !== 'EAGAIN') throw err;
              status = 1;
              break;
            }
            if (n === 0) break;
            // A sentinel LF after the bytes read ends the search there, without a view per read.
            buffer[n] = LF;
            bareLineFeeds += countBareLineFeeds(buffer, 0, last, n);
            last = buffer[n - 1]!;
            stored += n;
            if (stored > readMax) {
              status = 2;
              break;
            }
            if (n < request) break;
          }
          // A FIFO without a writer reads as empty: only a regular file is an empty message.
          if (status === 0 && stored === 0 && !sync.fstatSync(fd).isFile()) status = 1;
          out[at] = status;
          out[at + 1] = stored;
          out[at + 2] = Number.NaN;
          out[at + 3] = stored + bareLineFeeds + (stored > 0 && last !== LF ? 2 : 0);
        } finally {
          sync.closeSync(fd);
        }
      }
    }
    if (timed && performance.now() > until) break;
  }
  return index;
}

/** Scratch space of the reads on this thread; only ever used within one synchronous slice. */
const buffer = Buffer.allocUnsafe(1 << 16);

/**
 * measureFiles over all of `names` in `dir` on this thread, yielding to the event loop every SLICE_MS (a local
 * open or small read takes microseconds, less than the round trip of an asynchronous call).
 */
export async function measureHere(kind: MeasureKind, dir: string, names: readonly string[], readMax: number): Promise<Float64Array> {
  const out = new Float64Array(names.length * RESULT_FIELDS);
  let from = 0;
  for (;;) {
    from = measureFiles(fs, { kind, dir, names, out, buffer, readMax, from, until: performance.now() + SLICE_MS }, bareLineFeeds);
    if (from >= names.length) return out;
    await yieldToEventLoop();
  }
}
