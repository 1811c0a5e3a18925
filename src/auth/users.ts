/** The credentials port the protocols authenticate against. */
export interface UserDirectory {
  /**
   * True when `user` exists and `password` matches. An unknown user resolves false after doing the same
   * work as a wrong password, so timing does not reveal which names exist.
   */
  authenticate(user: string, password: string): Promise<boolean>;
  /** The plaintext secret for challenge-response (APOP), when the stored scheme keeps one. */
  plaintextSecret(user: string): Promise<string | undefined>;
  /** Whether the user is listed at all (used by delivery, never by login replies). */
  exists(user: string): Promise<boolean>;
  /** Names of all users, in file order. */
  list(): Promise<readonly string[]>;
  /**
   * A token that changes whenever the user's password does (and `undefined` for no such user), so that
   * powers granted at login can be checked later without keeping the password. Never shown or logged.
   */
  credentialStamp?(user: string): Promise<string | undefined>;
}
