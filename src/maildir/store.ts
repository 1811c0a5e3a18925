import { hasErrorCode } from '../process/errno.js';
import { ensureMaildir } from './ensure.js';
import { acquireMaildropLock, type ReleaseLock } from '../lock/maildrop-lock.js';
import { warningLogger, type MailLogger } from '../maildrop/logger.js';
import { MaildropLockedError, MaildropUnavailableError, type Maildrop, type MaildropStore, type MessageInfo } from '../maildrop/maildrop.js';
import { MaildirMaildrop, type UidlSource } from './maildrop.js';
import { moveNewToCur } from './flags.js';
import { ListingIndex } from './listing-index.js';
import type { ScannedMessage } from './listing.js';
import { uidFor } from './name.js';
import { removeOldTmpFiles, TmpScanSchedule } from './tmp-cleanup.js';
import { WireSizeCache } from '../sizes/wire-size-cache.js';
import { numberByUid } from './dovecot/numbering.js';
import { DEFAULT_UIDL_FORMAT, expandUidl, parseUidlFormat, type UidlFormat } from './dovecot/uidl-format.js';
import { UidlistCorruptError } from './dovecot/uidlist-file.js';
import { UidlistStore } from './dovecot/uidlist-store.js';

export interface MaildirStoreOptions {
  /** The path of a user's Maildir (mail.maildir or the user's own, see path.ts); rejects for an unknown user. */
  readonly locate: (user: string) => Promise<string>;
  /** Lock staleness (config `mail.lockStaleSeconds`, in milliseconds). */
  readonly staleMs: number;
  /** Create a missing Maildir at login (config `mail.autocreate`). */
  readonly autocreate: boolean;
  /** Delivered into each Maildir created at login (config `mail.welcome`). */
  readonly welcomeFile?: string;
  readonly logger?: MailLogger;
  /** Keep a persistent size cache file in each large Maildir (default true; see size-cache-file.ts). */
  readonly sizeCacheFile?: boolean;
  /** Dovecot's pop3_uidl_format (config `mail.uidlFormat`); default `%f`, the base name. */
  readonly uidlFormat?: string;
  /** Move new/ to cur/ at login and mark retrieved messages seen (config `mail.flagUpdates`); default true. */
  readonly flagUpdates?: boolean;
}

/** For a preview, which holds the lock itself. */
const noLock: ReleaseLock = async () => {};

/** One message as `pop3d uidl` shows it. */
export interface PreviewedMessage extends MessageInfo {
  readonly number: number;
}

/** The messages numbered and named for POP3. */
interface Numbered {
  readonly listed: readonly ScannedMessage[];
  readonly uidls: UidlSource;
}

/** Maildrops on Maildir (one per user, path from a template), locked per session. */
export class MaildirStore implements MaildropStore {
  readonly #options: MaildirStoreOptions;
  readonly #logger: MailLogger;
  /** Shared by all sessions, so a second login does not read every message again. */
  readonly #sizes = new WireSizeCache();
  /** Listings and sizes per Maildir, reused while the Maildir is unchanged (see ListingIndex). */
  readonly #index: ListingIndex;
  readonly #format: UidlFormat;
  /** UIDLs from the base name alone, for formats that need no UIDs (`%f` is the name itself, as always). */
  readonly #fileNameUidls: UidlSource;
  readonly #uidlists = new UidlistStore();
  readonly #tmpScans = new TmpScanSchedule();

  constructor(options: MaildirStoreOptions) {
    this.#options = options;
    this.#logger = options.logger ?? warningLogger;
    this.#index = new ListingIndex({ sizes: this.#sizes, logger: this.#logger, persist: options.sizeCacheFile ?? true });
    this.#format = parseUidlFormat(options.uidlFormat ?? DEFAULT_UIDL_FORMAT);
    const format = this.#format;
    this.#fileNameUidls = {
      kind: 'fileName',
      uidOf: format.source === DEFAULT_UIDL_FORMAT ? uidFor : (fileName) => uidFor(expandUidl(format, { uid: 0, uidValidity: 0, fileName })),
    };
  }

  async open(user: string): Promise<Maildrop> {
    const maildir = await this.#prepare(user);
    const releaseLock = await this.#lock(user, maildir);
    const flagUpdates = this.#options.flagUpdates ?? true;
    try {
      if (this.#tmpScans.due(maildir)) {
        await removeOldTmpFiles(maildir).catch((err: unknown) => this.#logger.warn({ err, user }, 'could not clean up tmp/'));
      }
      let listed = await this.#index.list(maildir);
      // Before numbering: the uidlist knows messages by base name, which the move keeps.
      if (flagUpdates) listed = await moveNewToCur(maildir, listed);
      const numbered = await this.#number(user, maildir, listed);
      // The size cache file is written while the lock is held (one writer per Maildir, across daemons too), and
      // done before the session ends, so the daemon's shutdown (which waits for every release) never cuts it off.
      const release: ReleaseLock = async () => {
        await this.#index.flushed(maildir);
        await releaseLock();
      };
      return this.#maildrop(user, maildir, numbered, release);
    } catch (err) {
      await releaseLock();
      throw new MaildropUnavailableError(`cannot list the maildrop of ${user}`, { cause: err });
    }
  }

  /**
   * What UIDL and LIST would answer for `user` now: the lock is held only while listing (and numbering new
   * messages in the uidlist, as a login would), and nothing is moved or flagged.
   */
  async preview(user: string): Promise<readonly PreviewedMessage[]> {
    const maildir = await this.#options.locate(user);
    const releaseLock = await this.#lock(user, maildir);
    try {
      const numbered = await this.#number(user, maildir, await this.#index.list(maildir));
      const maildrop = this.#maildrop(user, maildir, numbered, noLock);
      return maildrop.messages.map(({ uid, size }, i) => ({ number: i + 1, uid, size }));
    } finally {
      await this.#index.flushed(maildir);
      await releaseLock();
    }
  }

  /** Numbers and UIDLs: by the uidlist when the format needs UIDs, else oldest first by name. */
  async #number(user: string, maildir: string, listed: readonly ScannedMessage[]): Promise<Numbered> {
    if (!this.#format.needsUids) return { listed, uidls: this.#fileNameUidls };
    try {
      const list = await this.#uidlists.sync(maildir, listed);
      const { messages, uidAt } = numberByUid(listed, list, this.#format);
      return { listed: messages, uidls: { kind: 'listed', uidAt } };
    } catch (err) {
      // Kept as it is for the operator to look at: rewriting it would give the messages other UIDs.
      if (err instanceof UidlistCorruptError) this.#logger.warn({ event: 'uidlist-corrupt', user, maildir, err }, err.message);
      throw err;
    }
  }

  /** The user's Maildir path, created first when so configured. */
  async #prepare(user: string): Promise<string> {
    try {
      const maildir = await this.#options.locate(user);
      if (this.#options.autocreate) await ensureMaildir(maildir, this.#options.welcomeFile);
      return maildir;
    } catch (err) {
      throw new MaildropUnavailableError(`cannot prepare the maildrop of ${user}`, { cause: err });
    }
  }

  #maildrop(user: string, maildir: string, numbered: Numbered, releaseLock: ReleaseLock): MaildirMaildrop {
    const { listed, uidls } = numbered;
    const flagUpdates = this.#options.flagUpdates ?? true;
    return new MaildirMaildrop({ user, maildir, listed, uidls, flagUpdates, releaseLock, sizes: this.#sizes, logger: this.#logger });
  }

  /**
   * The lock's release. The lock lives inside the Maildir, so its symlink failing with ENOENT is itself
   * the atomic "no Maildir" test, and nothing is created: a missing Maildir (autocreate off) is an error to
   * report, never an empty maildrop that would hide a wrong path.
   */
  async #lock(user: string, maildir: string): Promise<ReleaseLock> {
    try {
      return await acquireMaildropLock(maildir, { staleMs: this.#options.staleMs, logger: this.#logger });
    } catch (err) {
      if (err instanceof MaildropLockedError) throw new MaildropLockedError(user);
      if (hasErrorCode(err, 'ENOENT')) throw new MaildropUnavailableError(`no Maildir at ${maildir} for ${user}`, { cause: err });
      throw new MaildropUnavailableError(`cannot lock the maildrop of ${user}`, { cause: err });
    }
  }
}
