import { open, rename, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createMaildirDirs } from './layout.js';
import { newUniqueName, withSizeFields } from './name.js';
import { addChunk, emptyTally, wireSize, type SizeTally } from '../sizes/wire-size.js';

/** A message needs at least one octet: an empty file is no mail, and POP3 could not tell it apart. */
export class EmptyMessageError extends Error {
  constructor() {
    super('refusing to deliver an empty message');
    this.name = 'EmptyMessageError';
  }
}

export interface Delivered {
  /** Where the message now is, in new/. */
  readonly path: string;
  /** Octets stored. */
  readonly size: number;
  /** Octets POP3 will send for it. */
  readonly wireSize: number;
}

function toBytes(chunk: unknown): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
}

/** Writes the source to `path`, counting as it goes (constant memory), and makes the bytes durable. */
async function writeDurably(path: string, source: Readable | Buffer): Promise<SizeTally> {
  const file = await open(path, 'wx', 0o600);
  try {
    let tally = emptyTally;
    for await (const chunk of Buffer.isBuffer(source) ? [source] : source) {
      const bytes = toBytes(chunk);
      tally = addChunk(tally, bytes);
      await file.write(bytes);
    }
    if (tally.stored === 0) throw new EmptyMessageError();
    await file.sync();
    return tally;
  } finally {
    await file.close();
  }
}

/** fsync of the directory makes the rename itself survive a crash. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Delivers a message the Maildir way: written in full to tmp/, synced, then renamed into new/. A rename is
 * atomic, so readers see the whole message or nothing; on failure the tmp/ file is removed and the error
 * rethrown. The Maildir is created when missing.
 */
export async function deliverToMaildir(
  maildir: string,
  source: Readable | Buffer,
  options: { readonly hostname?: string } = {},
): Promise<Delivered> {
  await createMaildirDirs(maildir);
  const unique = newUniqueName({ now: Date.now(), hostname: options.hostname ?? osHostname() });
  const tmpPath = join(maildir, 'tmp', unique);
  let delivered: Delivered;
  try {
    const tally = await writeDurably(tmpPath, source);
    const sizes = { size: tally.stored, wireSize: wireSize(tally) };
    const path = join(maildir, 'new', withSizeFields(unique, sizes));
    await rename(tmpPath, path);
    delivered = { path, ...sizes };
  } catch (err) {
    // ENOENT when tmp/ never got the file. Other failures must not mask the original error; a leftover in
    // tmp/ is never read as mail, and Maildir readers sweep old tmp/ files anyway.
    await unlink(tmpPath).catch(() => undefined);
    throw err;
  }
  await syncDirectory(join(maildir, 'new'));
  return delivered;
}
