import { constants } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { hasErrorCode } from './errno.js';
import type { ReleaseLock } from './lock.js';
import type { MailLogger } from './logger.js';
import { messageStream, SMALL_MESSAGE_OCTETS, smallMessageStream } from './message-stream.js';
import type { CommitResult, Maildrop, MessageInfo } from './maildrop.js';
import { locateMessage, type ListedMessage } from './maildir-listing.js';
import { uidFor } from './maildir-name.js';
import type { WireSizeCache } from './wire-size-cache.js';
import { fsPath } from './file-names.js';

/** O_NOFOLLOW: a message swapped for a symlink after listing is refused, not followed. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

interface Entry {
  readonly index: number;
  readonly baseName: string;
  /** Where the file was last seen (see #moved). */
  readonly path: string;
}

/** A listed message as sessions see it. Its UIDL is worked out when first asked for: STAT and LIST never do. */
class ListedInfo implements MessageInfo {
  readonly #baseName: string;
  #uid: string | undefined;

  constructor(
    baseName: string,
    readonly size: number,
  ) {
    this.#baseName = baseName;
  }

  get uid(): string {
    this.#uid ??= uidFor(this.#baseName);
    return this.#uid;
  }
}

/**
 * The MessageInfo of each listing, shared by every session opened on it: MailboxIndex hands out the same
 * immutable listing while the Maildir is unchanged, so a login to 100,000 messages does not build 100,000
 * objects (and UIDs) again.
 */
const infosOfListing = new WeakMap<readonly ListedMessage[], readonly MessageInfo[]>();

function infosOf(listed: readonly ListedMessage[]): readonly MessageInfo[] {
  let infos = infosOfListing.get(listed);
  if (infos === undefined) {
    infos = listed.map(({ baseName, wireSize }) => new ListedInfo(baseName, wireSize));
    infosOfListing.set(listed, infos);
  }
  return infos;
}

export interface MaildirMaildropParts {
  readonly user: string;
  readonly maildir: string;
  readonly listed: readonly ListedMessage[];
  readonly releaseLock: ReleaseLock;
  readonly sizes: WireSizeCache;
  readonly logger: MailLogger;
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
  #released = false;

  constructor(parts: MaildirMaildropParts) {
    this.#parts = parts;
    this.user = parts.user;
    this.messages = infosOf(parts.listed);
  }

  read(index: number): Readable {
    const entry = this.#entry(index);
    // The wire size is at least the stored size: reads sized by it take a small message in one go.
    const size = this.messages[index]!.size;
    const small = size <= SMALL_MESSAGE_OCTETS ? smallMessageStream(fsPath(entry.path), READ_FLAGS, size) : undefined;
    return small ?? messageStream(() => this.#open(entry), size);
  }

  /** Unlinks run in parallel; each is atomic, so a crash leaves every message whole or gone. */
  async commit(deleted: ReadonlySet<number>): Promise<CommitResult> {
    this.#assertOpen();
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
    await this.#parts.releaseLock();
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
    try {
      return await open(fsPath(entry.path), READ_FLAGS);
    } catch (err) {
      if (!hasErrorCode(err, 'ENOENT')) throw err;
      const moved = await locateMessage(this.#parts.maildir, entry.baseName);
      if (moved === undefined) throw err;
      (this.#moved ??= new Map()).set(entry.index, moved);
      return open(fsPath(moved), READ_FLAGS);
    }
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
