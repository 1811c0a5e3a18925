import { statSync } from 'node:fs';
import { join } from 'node:path';
import { hasErrorCode } from '../process/errno.js';
import type { MailLogger } from '../maildrop/logger.js';
import { MESSAGE_DIRS } from './layout.js';
import { listMaildir, type KnownSizes, type ScannedMessage } from './listing.js';
import { readSizeCache, writeSizeCache, type CachedListing, type DirStamp } from './size-cache-file.js';
import type { FileVersion, WireSizeCache } from '../sizes/wire-size-cache.js';
import { flatString } from '../process/flat-string.js';

export interface ListingIndexOptions {
  /** Per-message sizes in memory, shared with the maildrops (which forget the messages they delete). */
  readonly sizes: WireSizeCache;
  readonly logger: MailLogger;
  /** Keep a cache file in each Maildir (see size-cache-file.ts). */
  readonly persist?: boolean;
  /** Only Maildirs with at least this many messages get a cache file: smaller ones are cheap to list anyway. */
  readonly persistFrom?: number;
  /**
   * A directory last changed at least this long before it was read is "settled": file-system timestamps are
   * coarse (a change in the same clock tick may leave them as they were), so only a listing of settled
   * directories stands for them while their stamps stay the same.
   */
  readonly settleMs?: number;
  /**
   * How long a cache file of `deferFrom` messages or more waits before it is encoded: the client's next command
   * (STAT, LIST) usually comes right after the login reply, and need not queue behind the encoding's slices.
   */
  readonly writeDelayMs?: number;
  readonly deferFrom?: number;
  /** Messages kept in memory over all Maildirs; the least recently listed Maildirs are dropped first. */
  readonly maxMessages?: number;
  readonly now?: () => number;
}

/** A listing to write once its versions are in, unless the file says the same already (see #changed). */
interface PendingWrite {
  readonly listing: CachedListing;
  readonly previous: CachedListing | undefined;
  readonly versioned: Promise<void>;
}

interface DirState {
  readonly stamp: DirStamp;
  /** Last change (mtime or ctime, the later), in ms since the epoch. */
  readonly changedMs: number;
}

/**
 * Synchronous, as the listing's own calls are (scan.ts): a stat takes microseconds, a round trip through the
 * threadpool and its promise several times that, and these two run at every login.
 */
function dirStates(maildir: string): DirState[] {
  return MESSAGE_DIRS.map((dir) => {
    const stats = statSync(join(maildir, dir), { bigint: true });
    const changedNs = stats.mtimeNs > stats.ctimeNs ? stats.mtimeNs : stats.ctimeNs;
    // Kept with the cached listing: flat rather than a tree of pieces.
    return { stamp: flatString(`${stats.ino}:${stats.mtimeNs}:${stats.ctimeNs}`), changedMs: Number(changedNs / 1_000_000n) };
  });
}

const sameStamps = (a: readonly DirStamp[], b: readonly DirStamp[]): boolean =>
  a.length === b.length && a.every((stamp, index) => stamp === b[index]);

const sameVersion = (a: FileVersion | undefined, b: FileVersion | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs);

function sameMessages(a: readonly ScannedMessage[], b: readonly ScannedMessage[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => {
      const n = b[i]!;
      return m.dir === n.dir && m.name === n.name && m.wireSize === n.wireSize && sameVersion(m.version, n.version);
    })
  );
}

/** Sizes from an earlier listing, for the files that still have the size and mtime they were measured at. */
function knownSizes(messages: readonly ScannedMessage[]): KnownSizes {
  const byBaseName = new Map<string, ScannedMessage>();
  for (const message of messages) if (message.version !== undefined) byBaseName.set(message.baseName, message);
  return {
    has: (baseName) => byBaseName.has(baseName),
    get(baseName, version) {
      const message = byBaseName.get(baseName);
      return message !== undefined && sameVersion(message.version, version) ? message.wireSize : undefined;
    },
  };
}

/**
 * Listings of Maildirs, kept the way Maildir++ readers and Dovecot keep theirs: sizes come from `W=` in file
 * names when present, else from a per-Maildir cache (in memory, and persisted in the Maildir) keyed by base name
 * and valid only while the file keeps its size and mtime. While cur/ and new/ are unchanged (same inode, mtime
 * and ctime, and settled when read), the last listing is reused without reading the directories at all: two
 * stats, however many messages. Like Dovecot, this trusts that messages are never rewritten in place (Maildir
 * never does that; delivery, moves, flag changes and deletions all change the directory).
 */
export class ListingIndex {
  readonly #sizes: WireSizeCache;
  readonly #logger: MailLogger;
  readonly #persist: boolean;
  readonly #persistFrom: number;
  readonly #settleMs: number;
  readonly #maxMessages: number;
  readonly #writeDelayMs: number;
  readonly #deferFrom: number;
  readonly #now: () => number;
  /** Least recently listed first. */
  readonly #listings = new Map<string, CachedListing>();
  #held = 0;
  readonly #writing = new Map<string, Promise<void>>();
  readonly #queued = new Map<string, PendingWrite>();
  /** Listings that are what the Maildir's cache file says (read from it, or written to it). */
  readonly #onDisk = new WeakSet<CachedListing>();

  constructor(options: ListingIndexOptions) {
    this.#sizes = options.sizes;
    this.#logger = options.logger;
    this.#persist = options.persist ?? true;
    this.#persistFrom = options.persistFrom ?? 100;
    this.#settleMs = options.settleMs ?? 2_000;
    this.#maxMessages = options.maxMessages ?? 250_000;
    this.#writeDelayMs = options.writeDelayMs ?? 100;
    // About a slice's encoding (see size-cache-format.ts): smaller files hold nothing up.
    this.#deferFrom = options.deferFrom ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The messages of `maildir`, oldest first. Rejects when the Maildir cannot be read. */
  async list(maildir: string): Promise<readonly ScannedMessage[]> {
    const startedAt = this.#now();
    // Stamped before reading: a change while reading makes the stamps differ next time, so it is never missed.
    const dirs = dirStates(maildir);
    const stamps = dirs.map((dir) => dir.stamp);
    const previous = this.#listings.get(maildir) ?? (await this.#load(maildir));
    if (previous?.settled && sameStamps(previous.stamps, stamps)) {
      this.#keep(maildir, previous);
      return previous.messages;
    }
    let unreadable = 0;
    const { messages, versioned } = await listMaildir(maildir, {
      sizes: this.#sizes,
      known: previous && knownSizes(previous.messages),
      rememberBelow: this.#persist ? this.#persistFrom : undefined,
      settledBefore: startedAt - this.#settleMs,
      unreadable: (path, code) => {
        unreadable += 1;
        this.#logger.warn({ event: 'message-unreadable', path, code }, 'left out of the listing a message file this process may not read');
      },
    });
    // A listing that left a file out is never reused: a chmod does not touch the directory's stamp.
    const settled = unreadable === 0 && dirs.every((dir) => dir.changedMs <= startedAt - this.#settleMs);
    const listing: CachedListing = { stamps, settled, messages };
    this.#keep(maildir, listing);
    // Written once the files read have their versions, which the session need not wait for.
    if (this.#persist && messages.length >= this.#persistFrom) this.#write(maildir, { listing, previous, versioned });
    return messages;
  }

  /** Resolves (never rejects) once the cache file writes of `maildir`, or of every Maildir, started so far are done. */
  async flushed(maildir?: string): Promise<void> {
    if (maildir !== undefined) {
      await this.#writing.get(maildir);
      return;
    }
    while (this.#writing.size > 0) await Promise.all(this.#writing.values());
  }

  /** Whether the file would say something it does not say now. */
  #changed(previous: CachedListing | undefined, listing: CachedListing): boolean {
    if (previous === undefined || !this.#onDisk.has(previous) || !sameMessages(previous.messages, listing.messages)) return true;
    return listing.settled && (!previous.settled || !sameStamps(previous.stamps, listing.stamps));
  }

  async #load(maildir: string): Promise<CachedListing | undefined> {
    if (!this.#persist) return undefined;
    try {
      const listing = await readSizeCache(maildir);
      if (listing !== undefined) this.#onDisk.add(listing);
      return listing;
    } catch (err) {
      // Unreadable or damaged: listed from scratch, and replaced by the next write.
      this.#logger.warn({ err, maildir }, 'ignoring the size cache');
      return undefined;
    }
  }

  #keep(maildir: string, listing: CachedListing): void {
    const old = this.#listings.get(maildir);
    if (old !== undefined) {
      this.#listings.delete(maildir);
      this.#held -= old.messages.length;
    }
    if (listing.messages.length > this.#maxMessages) return;
    this.#listings.set(maildir, listing);
    this.#held += listing.messages.length;
    for (const [oldest, evicted] of this.#listings) {
      if (this.#held <= this.#maxMessages) break;
      this.#listings.delete(oldest);
      this.#held -= evicted.messages.length;
    }
  }

  /** One write per Maildir at a time; listings made meanwhile are coalesced into the next write, the latest wins. */
  #write(maildir: string, pending: PendingWrite): void {
    this.#queued.set(maildir, pending);
    if (this.#writing.has(maildir)) return;
    const drain = async (): Promise<void> => {
      for (let next = this.#queued.get(maildir); next !== undefined; next = this.#queued.get(maildir)) {
        this.#queued.delete(maildir);
        await next.versioned;
        if (!this.#changed(next.previous, next.listing)) continue;
        if (next.listing.messages.length >= this.#deferFrom) {
          await new Promise((resolve) => setTimeout(resolve, this.#writeDelayMs));
          // A later listing came meanwhile: it is the one to write.
          if (this.#queued.has(maildir)) continue;
        }
        try {
          await writeSizeCache(maildir, next.listing);
          this.#onDisk.add(next.listing);
        } catch (err) {
          // ENOENT: the Maildir went away meanwhile; nothing to cache.
          if (!hasErrorCode(err, 'ENOENT')) this.#logger.warn({ err, maildir }, 'could not write the size cache');
        }
      }
      this.#writing.delete(maildir);
    };
    this.#writing.set(maildir, drain());
  }
}
