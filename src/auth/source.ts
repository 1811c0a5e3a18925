import type { Credential, StoredPassword } from './password-schemes.js';
import type { UserRecord } from './users.js';

/*
 * Where users are kept: the passwd-file, PostgreSQL or LDAP. Each source is one module behind this interface;
 * the directory in front of it (directory.ts) adds what all share: name canonicalisation, the cache, the
 * timeout, metrics and the password check.
 */

/** How a found user's password is checked. */
export type Verifier =
  /** Against a stored `{SCHEME}secret` (passwd-file, a SQL column, an LDAP userPassword). */
  | { readonly kind: 'stored'; readonly stored: StoredPassword }
  /** By binding to the LDAP server as this DN with the given password: there is no secret to read. */
  | { readonly kind: 'bind'; readonly dn: string };

export interface SourceEntry {
  readonly record: UserRecord;
  readonly verifier: Verifier;
}

/** The edits a source may support; the directory says "not configured" for the ones it lacks. */
export interface SourceEdits {
  /** Stores `password` hashed (hashPassword). Throws UserEditError for a bad name or password, or when the user exists. */
  add?(name: string, password: string): Promise<void>;
  /** Throws UserEditError when there is no such user. */
  setPassword?(name: string, password: string): Promise<void>;
  remove?(name: string): Promise<void>;
}

export interface UserSource {
  /** `passwd-file`, `postgresql` or `ldap`: in logs, metrics and "not configured" messages. */
  readonly kind: string;
  /**
   * True when `find` answers from what the source already holds in memory (the passwd-file): the directory
   * then neither caches its answers again nor runs the timeout's timer for them.
   */
  readonly inMemory?: boolean;
  /** The user named exactly `name` (already canonical), or undefined. Rejects when the source cannot answer. */
  find(name: string): Promise<SourceEntry | undefined>;
  /** For bind verifiers: whether `password` binds as `dn`. Rejects when the server cannot answer. */
  bind?(dn: string, password: string): Promise<boolean>;
  /** Absent when the source has no way to list (no listQuery): USERS and `pop3d user list` say so. */
  list?(): Promise<readonly string[]>;
  /** A real credential to check unknown users' passwords against (so timing reveals nothing), if the source has one. */
  decoy?(): Credential | undefined;
  readonly edits: SourceEdits;
  /** Re-read what the source keeps in memory (SIGHUP); the file's source only. */
  reload?(): Promise<void>;
  /** Close connections and pools, so a command can exit. */
  close?(): Promise<void>;
}
