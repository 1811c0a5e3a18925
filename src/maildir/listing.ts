import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';
import { nameFromBytes } from './file-names.js';
import { MESSAGE_DIRS } from './layout.js';
import type { Listing, ScannedMessage, ScanOptions } from './listing-types.js';
import { baseNameOf } from './name.js';
import { MaildirScan } from './scan.js';

export type { KnownSizes, Listing, ListedMessage, ScannedMessage, ScanOptions } from './listing-types.js';

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
