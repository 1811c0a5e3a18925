import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from './errno.js';
import { nameFromBytes } from './file-names.js';
import { MESSAGE_DIRS, type MessageDir } from './maildir-layout.js';
import { baseNameOf } from './maildir-name.js';
import { MaildirScan } from './maildir-scan.js';
import type { MeasurePool } from './measure-pool.js';
import type { FileVersion, WireSizeCache } from './wire-size-cache.js';

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
  /**
   * Sizes are remembered in `sizes` only for Maildirs with fewer messages than this: larger ones are kept
   * as whole listings (MailboxIndex, and the Maildir's cache file), which 100,000 entries would only repeat.
   */
  readonly rememberBelow?: number;
  readonly known?: KnownSizes | undefined;
  /** Files changed before this time (ms since the epoch) get versions when read; default: two seconds before the scan. */
  readonly settledBefore?: number;
  /** Files stat'ed or read per job; from the first full job on, worker threads do them (see MaildirScan). */
  readonly jobFiles?: number;
  /** The threads (default: the process's shared measurePool). */
  readonly pool?: MeasurePool;
}

export interface Listing {
  readonly messages: readonly ScannedMessage[];
  /** Resolves, never rejects, once the files read for `messages` have their versions there (see MaildirScan). */
  readonly versioned: Promise<void>;
}

/**
 * The messages of cur/ and new/, oldest first, with their wire sizes: from `W=` in the name when there is one
 * (no stat at all), else from a cache while the file's size and mtime are those it was measured at, else by
 * reading the file once (see MaildirScan). tmp/ is never looked at: its files are still being written.
 */
export async function listMaildir(maildir: string, options: ScanOptions): Promise<Listing> {
  const scan = new MaildirScan(maildir, options);
  for (const dir of MESSAGE_DIRS.keys()) await scan.readDir(dir);
  return scan.finish();
}

/** listMaildir, once the versions are in. */
export async function scanMaildir(maildir: string, options: ScanOptions): Promise<readonly ScannedMessage[]> {
  const { messages, versioned } = await listMaildir(maildir, options);
  await versioned;
  return messages;
}

/** Where the message with this base name is now (another tool may have moved it or changed its flags). */
export async function locateMessage(maildir: string, baseName: string): Promise<string | undefined> {
  for (const dir of MESSAGE_DIRS) {
    let names: string[];
    try {
      names = (await readdir(join(maildir, dir), { encoding: 'buffer' })).map(nameFromBytes);
    } catch (err) {
      if (hasErrorCode(err, 'ENOENT')) continue;
      throw err;
    }
    const name = names.find((candidate) => baseNameOf(candidate) === baseName);
    if (name !== undefined) return join(maildir, dir, name);
  }
  return undefined;
}
