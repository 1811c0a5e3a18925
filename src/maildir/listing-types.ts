import type { MessageDir } from './layout.js';
import type { MeasurePool } from '../sizes/measure-pool.js';
import type { FileVersion, WireSizeCache } from '../sizes/wire-size-cache.js';

// What a listing is made of, apart from the code that makes it, so that the scan can use them too.

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
   * as whole listings (ListingIndex, and the Maildir's cache file), which 100,000 entries would only repeat.
   */
  readonly rememberBelow?: number;
  readonly known?: KnownSizes | undefined;
  /** Files changed before this time (ms since the epoch) get versions when read; default: two seconds before the scan. */
  readonly settledBefore?: number;
  /** Files stat'ed or read per job; from the first full job on, worker threads do them (see MaildirScan). */
  readonly jobFiles?: number;
  /** The threads (default: the process's shared measurePool). */
  readonly pool?: MeasurePool;
  /**
   * Told of each message file the process may not read (EACCES, EPERM), which the listing then leaves out:
   * one such file must not keep its owner from the rest of the mail.
   */
  readonly unreadable?: (path: string, code: string) => void;
}

export interface Listing {
  readonly messages: readonly ScannedMessage[];
  /** Resolves, never rejects, once the files read for `messages` have their versions there (see MaildirScan). */
  readonly versioned: Promise<void>;
}
