import type { Readable } from 'node:stream';

/** One message as a POP3 session sees it: fixed for the whole session. */
export interface MessageInfo {
  /** Unique-id listing (RFC 1939 UIDL): stable across sessions, 1..70 printable ASCII octets. */
  readonly uid: string;
  /** Octets as sent on the wire: every line ending CRLF, before dot-stuffing, without the terminator. */
  readonly size: number;
}

/** An opened, exclusively locked maildrop. Numbering is the array order, oldest first. */
export interface Maildrop {
  readonly user: string;
  readonly messages: readonly MessageInfo[];
  /** The stored bytes of message `index` (0-based), as a stream; it errors if the file vanished. */
  read(index: number): Readable;
  /**
   * Message `index` whole, when it is small enough to be read at once without waiting (most mail); undefined
   * when it must be streamed with `read` (large, moved, unreadable: `read` finds it or reports why). A store
   * without it streams every message.
   */
  readAtOnce?(index: number): Buffer | undefined;
  /**
   * Message `index` was retrieved whole (RETR, not TOP): it gets the seen flag at once, as an IMAP client beside
   * us would see it, unless flag updates are off. Never fails the session; `commit` waits for it.
   */
  markSeen(index: number): void;
  /** UPDATE state: remove the messages at these indexes, then release the lock. Never half-deletes one. */
  commit(deleted: ReadonlySet<number>): Promise<CommitResult>;
  /** Release the lock without changing anything (session ended without QUIT). Idempotent. */
  release(): Promise<void>;
}

export interface CommitResult {
  readonly removed: number;
  /** Messages that could not be removed (already gone is not a failure). */
  readonly failed: number;
}

/** Opens maildrops. `open` rejects with MaildropLockedError when another session holds the lock. */
export interface MaildropStore {
  open(user: string): Promise<Maildrop>;
}

export class MaildropLockedError extends Error {
  constructor(user: string) {
    super(`maildrop of ${user} is locked by another session`);
    this.name = 'MaildropLockedError';
  }
}

export class MaildropUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MaildropUnavailableError';
  }
}
