/**
 * Keeps a Maildir's `dovecot-uidlist` the way Dovecot does, so Dovecot (IMAP beside pop3d, or POP3 again after a
 * rollback) and pop3d see the same UIDs. A message already listed keeps its UID; messages without one get the
 * next UIDs in the listing's order (Dovecot's sort of new files), under Dovecot's own `dovecot-uidlist.lock`,
 * written to `dovecot-uidlist.tmp` and renamed over the list, `N` advanced. A list that cannot be read is never
 * replaced: that would renumber the Maildir (UidlistCorruptError goes to the caller).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hasErrorCode } from '../../process/errno.js';
import { nameBytes, nameFromBytes } from '../file-names.js';
import { acquireDotlock, type DotlockOptions } from '../../lock/dotlock.js';
import { KnownUidlist } from './known-uidlist.js';
import { formatUidlist, parseUidlist, type Uidlist, type UidlistRecord } from './uidlist-file.js';

export { KnownUidlist };

export const UIDLIST_NAME = 'dovecot-uidlist';
const NO_EXTENSIONS: readonly string[] = [];

interface Cached {
  readonly list: KnownUidlist;
  /** Inode, mtime and size of the file this was read from (or written as). */
  readonly stamp: string;
}

export interface UidlistStoreOptions {
  readonly dotlock?: DotlockOptions;
  /** Seconds since the epoch, for a new list's UIDVALIDITY (Dovecot takes the time too). */
  readonly now?: () => number;
  /** Maildirs whose lists are kept in memory; the least recently used go first. */
  readonly maxCached?: number;
}

async function stampOf(path: string): Promise<string | undefined> {
  try {
    const stats = await stat(path, { bigint: true });
    return `${stats.ino}:${stats.mtimeNs}:${stats.size}`;
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * The file's text with each name byte for byte, as a listing has it (file-names.ts): a name that is not UTF-8
 * must match its file, and go back to disk as it came, for Dovecot.
 */
async function readText(path: string): Promise<string | undefined> {
  try {
    return nameFromBytes(await readFile(path));
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Written in full to a temp file, synced, then renamed: readers see the old list or the new one, never half.
 * Run as root (`pop3d uidl` before the daemon drops privileges), the file gets the Maildir's owner, so that
 * Dovecot's mail processes can still read and replace it.
 */
async function writeUidlist(path: string, uidlist: Uidlist): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    if (process.getuid?.() === 0) {
      const owner = await stat(dirname(path));
      await handle.chown(owner.uid, owner.gid);
    }
    await handle.writeFile(nameBytes(formatUidlist(uidlist)));
    await handle.datasync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(temp, path);
}

/**
 * The uidlist with a UID for every name in `baseNames` (distinct, as a listing's are; new ones numbered in that
 * order), or undefined when it has them all.
 */
export function withNewUids(
  current: KnownUidlist | undefined,
  listing: readonly { readonly baseName: string }[],
  uidValidity: () => number,
): Uidlist | undefined {
  const added: UidlistRecord[] = [];
  const base = current?.uidlist;
  let nextUid = base?.nextUid ?? 1;
  const known = current?.match(listing);
  listing.forEach(({ baseName }, i) => {
    if (known?.[i] === undefined) added.push({ uid: nextUid++, extensions: NO_EXTENSIONS, baseName });
  });
  if (base !== undefined && added.length === 0) return undefined;
  return {
    uidValidity: base?.uidValidity ?? uidValidity(),
    nextUid,
    guid: base?.guid || randomBytes(16).toString('hex'),
    headerExtensions: base?.headerExtensions ?? [],
    records: base === undefined ? added : base.records.concat(added),
  };
}

/** Uidlists of Maildirs, read from disk when they changed and extended under the dotlock when mail is new. */
export class UidlistStore {
  readonly #options: UidlistStoreOptions;
  readonly #cache = new Map<string, Cached>();

  constructor(options: UidlistStoreOptions = {}) {
    this.#options = options;
  }

  /** The list of `maildir`, with a UID for every message of `listing` (oldest first). */
  async sync(maildir: string, listing: readonly { readonly baseName: string }[]): Promise<KnownUidlist> {
    const path = join(maildir, UIDLIST_NAME);
    const cached = this.#fresh(maildir, await stampOf(path));
    if (cached?.covers(listing) === true) return cached;
    const release = await acquireDotlock(path, this.#options.dotlock);
    try {
      // Read again under the lock: another writer may have numbered these messages meanwhile.
      const stamp = await stampOf(path);
      const text = stamp === undefined ? undefined : await readText(path);
      const read = text === undefined ? undefined : parseUidlist(text);
      const current = read === undefined ? undefined : new KnownUidlist(read);
      const now = this.#options.now ?? (() => Math.floor(Date.now() / 1000));
      const extended = withNewUids(current, listing, now);
      if (extended !== undefined) await writeUidlist(path, extended);
      // The same object as later logins get from the cache, so that what is derived from it (numbering) is reused.
      const list = extended === undefined ? current! : new KnownUidlist(extended);
      this.#remember(maildir, { list, stamp: (await stampOf(path)) ?? '' });
      return list;
    } finally {
      await release();
    }
  }

  /** The list as on disk now, without creating or changing it; undefined when there is none. */
  async peek(maildir: string): Promise<KnownUidlist | undefined> {
    const text = await readText(join(maildir, UIDLIST_NAME));
    const read = text === undefined ? undefined : parseUidlist(text);
    return read === undefined ? undefined : new KnownUidlist(read);
  }

  #fresh(maildir: string, stamp: string | undefined): KnownUidlist | undefined {
    const cached = this.#cache.get(maildir);
    return cached !== undefined && stamp !== undefined && cached.stamp === stamp ? cached.list : undefined;
  }

  #remember(maildir: string, entry: Cached): void {
    this.#cache.delete(maildir);
    this.#cache.set(maildir, entry);
    const max = this.#options.maxCached ?? 1_000;
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= max) break;
      this.#cache.delete(oldest);
    }
  }
}
