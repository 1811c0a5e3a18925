import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { hasErrorCode } from '../process/errno.js';
import type { ReleaseLock } from '../lock/maildrop-lock.js';
import type { MailLogger } from '../maildrop/logger.js';
import { messageStream, readSmallMessage, SMALL_MESSAGE_OCTETS, smallMessageStream } from './message-stream.js';
import type { CommitResult, Maildrop, MessageInfo } from '../maildrop/maildrop.js';
import { locateMessage, type ListedMessage } from './listing.js';
import { renameIfPresent, withFlag } from './flags.js';
import { uidFor } from './name.js';
import type { WireSizeCache } from '../sizes/wire-size-cache.js';
import { fsPath } from './file-names.js';

/** O_NOFOLLOW: a message swapped for a symlink after listing is refused, not followed. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);
/**
 * For the streamed read: O_NONBLOCK too, so that opening a FIFO put in a message's place waits for no writer
 * (regularFile then refuses it); on a regular file it changes nothing.
 */
const OPEN_FLAGS = READ_FLAGS | constants.O_NONBLOCK;

/** The handle, if it is a regular file; else closed, and an error for this message alone. */
async function regularFile(handle: FileHandle, path: string): Promise<FileHandle> {
  const stats = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  if (stats.isFile()) return handle;
  await handle.close();
  throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'EFTYPE' });
}

interface Entry {
  readonly index: number;
  readonly baseName: string;
  /** Where the file was last seen (see #moved). */
  readonly path: string;
}

/** A listed message as sessions see it. Its UIDL is worked out when first asked for: STAT and LIST never do. */
class ListedInfo implements MessageInfo {
  readonly #baseName: string;
  readonly #uidOf: (baseName: string) => string;
  #uid: string | undefined;

  constructor(
    baseName: string,
    readonly size: number,
    uidOf: (baseName: string) => string,
  ) {
    this.#baseName = baseName;
    this.#uidOf = uidOf;
  }

  get uid(): string {
    this.#uid ??= this.#uidOf(this.#baseName);
    return this.#uid;
  }
}

/** A message whose UIDL comes from the maildrop's numbering, by its index, when first asked for. */
class IndexedInfo implements MessageInfo {
  readonly #index: number;
  readonly #uidAt: (index: number) => string;

  constructor(
    readonly size: number,
    index: number,
    uidAt: (index: number) => string,
  ) {
    this.#index = index;
    this.#uidAt = uidAt;
  }

  get uid(): string {
    return this.#uidAt(this.#index);
  }
}

/**
 * How a maildrop's UIDLs are made: from the base name alone (`%f` formats, worked out when first asked for), or
 * from the Dovecot uidlist, by the listed message's index (see dovecot/numbering.ts).
 */
export type UidlSource =
  | { readonly kind: 'fileName'; readonly uidOf: (baseName: string) => string }
  | { readonly kind: 'listed'; readonly uidAt: (index: number) => string };

const BASE_NAME_UIDL: UidlSource = { kind: 'fileName', uidOf: uidFor };

const sameUidlSource = (a: UidlSource, b: UidlSource): boolean =>
  a.kind === 'fileName' ? b.kind === 'fileName' && a.uidOf === b.uidOf : b.kind === 'listed' && a.uidAt === b.uidAt;

/**
 * The MessageInfo of each listing, shared by every session opened on it: ListingIndex hands out the same
 * immutable listing while the Maildir is unchanged, so a login to 100,000 messages does not build 100,000
 * objects (and UIDs) again.
 */
const infosOfListing = new WeakMap<readonly ListedMessage[], { readonly uidls: UidlSource; readonly infos: readonly MessageInfo[] }>();

function infosOf(listed: readonly ListedMessage[], uidls: UidlSource): readonly MessageInfo[] {
  const cached = infosOfListing.get(listed);
  if (cached !== undefined && sameUidlSource(cached.uidls, uidls)) return cached.infos;
  const infos =
    uidls.kind === 'listed'
      ? listed.map(({ wireSize }, i) => new IndexedInfo(wireSize, i, uidls.uidAt))
      : listed.map(({ baseName, wireSize }) => new ListedInfo(baseName, wireSize, uidls.uidOf));
  infosOfListing.set(listed, { uidls, infos });
  return infos;
}

export interface MaildirMaildropParts {
  readonly user: string;
  readonly maildir: string;
  readonly listed: readonly ListedMessage[];
  readonly releaseLock: ReleaseLock;
  readonly sizes: WireSizeCache;
  readonly logger: MailLogger;
  /** Default: the base name (pop3d's `%f`). */
  readonly uidls?: UidlSource;
  /** Mark retrieved messages seen (config `mail.flagUpdates`). */
  readonly flagUpdates?: boolean;
}

/** Unlinks `path`; false when it was already gone. */
async function unlinkIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(fsPath(path));
    return true;
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) return false;
    throw err;
  }
}

/** A Maildir opened for one session: the listing is frozen at open, the lock held until commit or release. */
export class MaildirMaildrop implements Maildrop {
  readonly user: string;
  readonly messages: readonly MessageInfo[];
  readonly #parts: MaildirMaildropParts;
  /** Where messages are that another tool has moved since the listing (new/ → cur/, flags), by index. Made
   * when first needed: most sessions never see a move, and thousands may be open. */
  #moved: Map<number, string> | undefined;
  /** Seen-flag renames under way: commit waits for them, so it removes each file under its last name. Made
   * when first needed, like #moved. */
  #flagging: Set<Promise<void>> | undefined;
  #released = false;

  constructor(parts: MaildirMaildropParts) {
    this.#parts = parts;
    this.user = parts.user;
    this.messages = infosOf(parts.listed, parts.uidls ?? BASE_NAME_UIDL);
  }

  markSeen(index: number): void {
    if (this.#parts.flagUpdates !== true || this.#released) return;
    const work = this.#addSeen(this.#entry(index))
      .catch((err: unknown) => this.#parts.logger.warn({ err, user: this.user, index }, 'could not mark a message seen'))
      .finally(() => this.#flagging?.delete(work));
    (this.#flagging ??= new Set()).add(work);
  }

  /** Renamed into cur/ with `S` among its flags; wherever another process put it meanwhile, it is found again. */
  async #addSeen(entry: Entry): Promise<void> {
    let from = entry.path;
    for (let attempt = 0; attempt < 2; attempt++) {
      const name = withFlag(basename(from), 'S');
      const to = join(this.#parts.maildir, 'cur', name);
      if (from === to) return;
      if (await renameIfPresent(from, to)) {
        (this.#moved ??= new Map()).set(entry.index, to);
        return;
      }
      const moved = await locateMessage(this.#parts.maildir, entry.baseName);
      if (moved === undefined) return;
      from = moved;
    }
  }

  // The wire size is at least the stored size: reads sized by it take a small message in one go.
  read(index: number): Readable {
    const entry = this.#entry(index);
    const size = this.messages[index]!.size;
    const small = size <= SMALL_MESSAGE_OCTETS ? smallMessageStream(fsPath(entry.path), READ_FLAGS, size) : undefined;
    return small ?? messageStream(() => this.#open(entry), size);
  }

  readAtOnce(index: number): Buffer | undefined {
    const entry = this.#entry(index);
    const size = this.messages[index]!.size;
    return size <= SMALL_MESSAGE_OCTETS ? readSmallMessage(fsPath(entry.path), READ_FLAGS, size) : undefined;
  }

  /** Unlinks run in parallel; each is atomic, so a crash leaves every message whole or gone. */
  async commit(deleted: ReadonlySet<number>): Promise<CommitResult> {
    this.#assertOpen();
    await this.#flagsSettled();
    try {
      const outcomes = await Promise.all([...deleted].map((index) => this.#entry(index)).map((entry) => this.#remove(entry)));
      const removed = outcomes.filter(Boolean).length;
      return { removed, failed: outcomes.length - removed };
    } finally {
      await this.release();
    }
  }

  async release(): Promise<void> {
    this.#released = true;
    await this.#flagsSettled();
    await this.#parts.releaseLock();
  }

  #flagsSettled(): Promise<unknown> {
    return this.#flagging === undefined ? Promise.resolve() : Promise.all(this.#flagging);
  }

  #assertOpen(): void {
    if (this.#released) throw new Error(`maildrop of ${this.user} is already released`);
  }

  #entry(index: number): Entry {
    this.#assertOpen();
    const listed = this.#parts.listed[index];
    if (listed === undefined) throw new RangeError(`no message at index ${index}`);
    return { index, baseName: listed.baseName, path: this.#moved?.get(index) ?? listed.path };
  }

  async #open(entry: Entry): Promise<FileHandle> {
    let path = entry.path;
    let handle: FileHandle;
    try {
      handle = await open(fsPath(path), OPEN_FLAGS);
    } catch (err) {
      if (!hasErrorCode(err, 'ENOENT')) throw err;
      const moved = await locateMessage(this.#parts.maildir, entry.baseName);
      if (moved === undefined) throw err;
      (this.#moved ??= new Map()).set(entry.index, moved);
      handle = await open(fsPath((path = moved)), OPEN_FLAGS);
    }
    return regularFile(handle, path);
  }

  /** True when the message is gone afterwards, whoever removed it; failures are logged, not thrown. */
  async #remove(entry: Entry): Promise<boolean> {
    const { maildir, sizes, logger } = this.#parts;
    try {
      if (!(await unlinkIfPresent(entry.path))) {
        const moved = await locateMessage(maildir, entry.baseName);
        if (moved !== undefined) await unlinkIfPresent(moved);
      }
      sizes.forget(maildir, entry.baseName);
      return true;
    } catch (err) {
      logger.warn({ err, user: this.user, path: entry.path }, 'could not remove message');
      return false;
    }
  }
}
