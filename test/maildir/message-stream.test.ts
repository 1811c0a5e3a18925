import { constants } from 'node:fs';
import { open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { CHUNK_OCTETS } from '../../src/maildrop/chunk-buffers.js';
import { messageStream, SLOW_READS, smallMessageStream } from '../../src/maildir/message-stream.js';
import { tempDir } from '../support/temp-dir.js';

/** A file with `octets` octets of a pattern, and an opener that records the handles it gave out. */
async function file(octets: number) {
  const dir = await tempDir();
  const path = join(dir, 'message');
  const content = Buffer.alloc(octets, 'abc\n.x\r\n');
  await writeFile(path, content);
  const handles: FileHandle[] = [];
  const opener = async (): Promise<FileHandle> => {
    const handle = await open(path, 'r');
    handles.push(handle);
    return handle;
  };
  return { dir, content, opener, handles };
}

describe('messageStream', () => {
  it('reads the whole file, whether the size hint is right, too small or too large', async () => {
    for (const [octets, hint] of [
      [0, 0],
      [1, 1],
      [5000, 5000],
      [5000, 10],
      [5000, 1_000_000],
      [3 * CHUNK_OCTETS + 7, 3 * CHUNK_OCTETS + 7],
      [2 * CHUNK_OCTETS, 2 * CHUNK_OCTETS],
    ] as const) {
      const { content, opener } = await file(octets);
      expect((await buffer(messageStream(opener, hint))).equals(content)).toBe(true);
    }
  });

  // In flowing mode, as the reply reads it (fromReadable): read() without a size would join the chunks
  // that the synchronous reads have buffered.
  const chunkSizes = (stream: Readable): Promise<number[]> =>
    new Promise((resolve, reject) => {
      const sizes: number[] = [];
      stream.on('data', (chunk: Buffer) => sizes.push(chunk.length));
      stream.once('end', () => resolve(sizes));
      stream.once('error', reject);
    });

  it('reads a message no larger than its hint in one chunk, and chunks no larger than CHUNK_OCTETS', async () => {
    const small = await file(10_000);
    expect(await chunkSizes(messageStream(small.opener, 10_000))).toEqual([10_000]);
    const large = await file(CHUNK_OCTETS + 1);
    expect(await chunkSizes(messageStream(large.opener, CHUNK_OCTETS + 1))).toEqual([CHUNK_OCTETS, 1]);
    expect(await chunkSizes(messageStream(large.opener, CHUNK_OCTETS + 1, -1))).toEqual([CHUNK_OCTETS, 1]);
  });

  it('opens nothing until read, and closes the file at the end and when destroyed early', async () => {
    const { opener, handles } = await file(3 * CHUNK_OCTETS);
    const stream = messageStream(opener, 3 * CHUNK_OCTETS);
    expect(handles).toHaveLength(0);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    expect(handles).toHaveLength(1);
    // A closed handle has no descriptor left.
    expect(handles[0]!.fd).toBe(-1);
    const whole = await file(10);
    await buffer(messageStream(whole.opener, 10));
    expect(whole.handles[0]!.fd).toBe(-1);
  });

  it('reads from the page cache synchronously, and the rest through the threadpool after slow reads in a row', async () => {
    const octets = 6 * CHUNK_OCTETS + 7;
    const { content, opener } = await file(octets);
    let asyncReads = 0;
    const counting = async (): Promise<FileHandle> => {
      const handle = await opener();
      const read = handle.read.bind(handle) as (...args: unknown[]) => unknown;
      (handle as { read: unknown }).read = (...args: unknown[]) => {
        asyncReads += 1;
        return read(...args);
      };
      return handle;
    };
    expect((await buffer(messageStream(counting, octets, Infinity))).equals(content)).toBe(true);
    expect(asyncReads).toBe(0);
    // Every read counts as slow: the first SLOW_READS are synchronous, the other four (the last one short) not.
    expect((await buffer(messageStream(counting, octets, -1))).equals(content)).toBe(true);
    expect(SLOW_READS).toBe(3);
    expect(asyncReads).toBe(4);
  });

  it('fails with the error of opening', async () => {
    const failing = (): Promise<FileHandle> => Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' }));
    await expect(buffer(messageStream(failing, 10))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('smallMessageStream', () => {
  const FLAGS = constants.O_RDONLY;

  it('reads a small message whole, as one chunk, with the size hint at or above its size', async () => {
    for (const [octets, hint] of [
      [0, 0],
      [1, 1],
      [5000, 5000],
      [5000, 5100],
    ] as const) {
      const { dir, content } = await file(octets);
      const stream = smallMessageStream(join(dir, 'message'), FLAGS, hint);
      expect(stream).toBeDefined();
      expect((await buffer(stream!)).equals(content)).toBe(true);
    }
  });

  it('declines (for the streaming path to handle) a missing file, a directory, and a file larger than announced', async () => {
    const dir = (await file(0)).dir;
    expect(smallMessageStream(join(dir, 'gone'), FLAGS, 10)).toBeUndefined();
    expect(smallMessageStream(dir, FLAGS, 10)).toBeUndefined();
    const path = join(dir, 'grown');
    await writeFile(path, Buffer.alloc(100, 'x'));
    expect(smallMessageStream(path, FLAGS, 50)).toBeUndefined();
  });
});
