import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { allocWithRoom, CHUNK_OCTETS, roomFor } from '../maildrop/chunk-buffers.js';

/**
 * A synchronous read that takes longer than this waited for a disk rather than copying from the page
 * cache (CHUNK_OCTETS in some 25 µs; up to a few ms on a busy machine, the first read into fresh memory
 * included). After SLOW_READS of them in a row the rest of that message is read through the threadpool;
 * one alone is more often the thread having been descheduled than a disk.
 */
export const SLOW_READ_MS = 4;
export const SLOW_READS = 3;

/**
 * A stored message as a byte stream: reads of up to CHUNK_OCTETS straight into a buffer per chunk (no
 * stream or async iterator between the file and the reader), and no larger than `sizeHint` + 1, so a
 * small message costs one buffer of about its size. Each chunk has room in front (see chunk-buffers.ts),
 * which the wire encoder fills in place. A short read ends the stream: Maildir files are complete when
 * they are listed and never grow. The file is opened when first read and closed at the end, on error,
 * or when the stream is destroyed early.
 *
 * Chunks are read with readSync while the file comes from the page cache, as mail being fetched mostly
 * does: a round trip through the threadpool and its promise per chunk costs more CPU than the copy, and
 * on a busy machine each one waits for a thread to be scheduled. Once SLOW_READS reads in a row take
 * longer than `slowReadMs`, the file is on the disk, and the event loop must not wait for it: the rest
 * is read asynchronously. Read it in flowing mode ('data' events): read() without a size joins buffered chunks.
 */
export function messageStream(open: () => Promise<FileHandle>, sizeHint: number, slowReadMs = SLOW_READ_MS): Readable {
  const chunkOctets = Math.max(1, Math.min(CHUNK_OCTETS, sizeHint + 1));
  const room = roomFor(chunkOctets);
  let handle: FileHandle | undefined;
  let slowReads = 0;
  return new Readable({
    highWaterMark: chunkOctets,
    construct(callback) {
      open().then((opened) => {
        handle = opened;
        callback();
      }, callback);
    },
    read() {
      const buffer = allocWithRoom(room, chunkOctets);
      const got = (bytesRead: number): void => {
        if (bytesRead > 0) this.push(bytesRead === chunkOctets ? buffer : buffer.subarray(0, bytesRead));
        if (bytesRead < chunkOctets) this.push(null);
      };
      if (slowReads >= SLOW_READS) {
        handle!.read(buffer, 0, chunkOctets, null).then(
          ({ bytesRead }) => got(bytesRead),
          (error: Error) => this.destroy(error),
        );
        return;
      }
      const started = performance.now();
      let bytesRead: number;
      try {
        bytesRead = readSync(handle!.fd, buffer, 0, chunkOctets, null);
      } catch (error) {
        this.destroy(error as Error);
        return;
      }
      slowReads = performance.now() - started > slowReadMs ? slowReads + 1 : 0;
      got(bytesRead);
    },
    destroy(error, callback) {
      if (handle === undefined) return callback(error);
      handle.close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

/** Messages up to this size are read at once with synchronous calls (see readSmallMessage). */
export const SMALL_MESSAGE_OCTETS = CHUNK_OCTETS;

/**
 * A message of at most SMALL_MESSAGE_OCTETS (`sizeHint`, its wire size, bounds its stored size), read
 * whole with openSync/readSync/closeSync: from the page cache that takes microseconds, less than three
 * round trips through the threadpool (open, read, close) and their promises, and most mail is small.
 * Undefined when the file cannot be read this way (gone, moved, not a regular file, larger than
 * announced): the caller falls back to messageStream, which finds moved files and reports errors.
 * The buffer has room in front (see chunk-buffers.ts) for the wire encoder.
 */
export function readSmallMessage(path: string | Buffer, flags: number, sizeHint: number): Buffer | undefined {
  const capacity = sizeHint + 1;
  const buffer = allocWithRoom(roomFor(capacity), capacity);
  let fd: number;
  try {
    fd = openSync(path, flags | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  let filled: number;
  try {
    // A FIFO or device put in the message's place after the listing is no message: left to messageStream,
    // which refuses it, since reading one could block the event loop or end at once with nothing.
    if (!fstatSync(fd).isFile()) return undefined;
    // One read: a short read is the end of a regular file (as in messageStream), so no second call to learn it.
    filled = readSync(fd, buffer, 0, capacity, null);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  return filled === capacity ? undefined : buffer.subarray(0, filled);
}

/** readSmallMessage as a stream of one chunk; undefined when the message cannot be read that way. */
export function smallMessageStream(path: string | Buffer, flags: number, sizeHint: number): Readable | undefined {
  const whole = readSmallMessage(path, flags, sizeHint);
  if (whole === undefined) return undefined;
  return new Readable({
    read() {
      if (whole.length > 0) this.push(whole);
      this.push(null);
    },
  });
}
