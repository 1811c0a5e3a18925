import { hasErrorCode } from './errno.js';
import { ensureMaildir } from './ensure-maildir.js';
import { acquireMaildropLock, type ReleaseLock } from './lock.js';
import { warningLogger, type MailLogger } from './logger.js';
import { MaildropLockedError, MaildropUnavailableError, type Maildrop, type MaildropStore } from './maildrop.js';
import { MaildirMaildrop } from './maildir-drop.js';
import { MailboxIndex } from './mailbox-index.js';
import type { ListedMessage } from './maildir-listing.js';
import { WireSizeCache } from './wire-size-cache.js';

export interface MaildirStoreOptions {
  /** The path of a user's Maildir (mail.maildir or the user's own, see maildir-path.ts); rejects for an unknown user. */
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
}

/** Maildrops on Maildir (one per user, path from a template), locked per session. */
export class MaildirStore implements MaildropStore {
  readonly #options: MaildirStoreOptions;
  readonly #logger: MailLogger;
  /** Shared by all sessions, so a second login does not read every message again. */
  readonly #sizes = new WireSizeCache();
  /** Listings and sizes per Maildir, reused while the Maildir is unchanged (see MailboxIndex). */
  readonly #index: MailboxIndex;

  constructor(options: MaildirStoreOptions) {
    this.#options = options;
    this.#logger = options.logger ?? warningLogger;
    this.#index = new MailboxIndex({ sizes: this.#sizes, logger: this.#logger, persist: options.sizeCacheFile ?? true });
  }

  async open(user: string): Promise<Maildrop> {
    const maildir = await this.#prepare(user);
    const releaseLock = await this.#lock(user, maildir);
    try {
      const listed = await this.#index.list(maildir);
      // The size cache file is written while the lock is held (one writer per Maildir, across daemons too), and
      // done before the session ends, so the daemon's shutdown (which waits for every release) never cuts it off.
      const release: ReleaseLock = async () => {
        await this.#index.flushed(maildir);
        await releaseLock();
      };
      return this.#maildrop(user, maildir, listed, release);
    } catch (err) {
      await releaseLock();
      throw new MaildropUnavailableError(`cannot list the maildrop of ${user}`, { cause: err });
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

  #maildrop(user: string, maildir: string, listed: readonly ListedMessage[], releaseLock: ReleaseLock): Maildrop {
    return new MaildirMaildrop({ user, maildir, listed, releaseLock, sizes: this.#sizes, logger: this.#logger });
  }

  /**
   * The lock's release. The lock directory lives inside the Maildir, so its mkdir failing with ENOENT is itself
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
