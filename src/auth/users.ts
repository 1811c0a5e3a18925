/** What the directory knows of a user beyond the credential: where their mail is. */
export interface UserRecord {
  /** The name as the directory knows it (lower-cased, with the default domain, per auth.*). */
  readonly name: string;
  /** Home directory (passwd-file field 6, a SQL column, an LDAP attribute): `%h` and `~` in Maildir paths. */
  readonly home?: string;
  /** The user's own Maildir, overriding mail.maildir (`~` stands for the home directory). */
  readonly maildir?: string;
}

/** The credentials port the protocols authenticate against. */
export interface UserDirectory {
  /**
   * True when `user` exists and `password` matches. An unknown user resolves false after doing the same
   * work as a wrong password, so timing does not reveal which names exist. Rejects with
   * DirectoryUnavailableError when the directory cannot answer: that is never a wrong password.
   */
  authenticate(user: string, password: string): Promise<boolean>;
  /** The plaintext secret for challenge-response (APOP), when the stored scheme keeps one. */
  plaintextSecret(user: string): Promise<string | undefined>;
  /** Whether the user is listed at all (used by delivery, never by login replies). */
  exists(user: string): Promise<boolean>;
  /** Names of all users, in the directory's order. */
  list(): Promise<readonly string[]>;
  /**
   * A token that changes whenever the user's password does (and `undefined` for no such user), so that
   * powers granted at login can be checked later without keeping the password. Never shown or logged.
   */
  credentialStamp?(user: string): Promise<string | undefined>;
  /** The user's record, or undefined for an unknown user. */
  lookup(user: string): Promise<UserRecord | undefined>;
}

/** The directory (database, LDAP server) is down, too slow or failing: try again later, not a wrong password. */
export class DirectoryUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryUnavailableError';
  }
}
