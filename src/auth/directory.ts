import { createHash, randomBytes } from 'node:crypto';
import type { ServerEvent } from '../events/server-events.js';
import { DirectoryCache, type CacheSettings } from './directory-cache.js';
import { UserEditError } from './passwd-editor.js';
import { hashPassword, parseStoredPassword, strongest, verifyCredential, type Credential } from './password-schemes.js';
import type { SourceEdits, SourceEntry, UserSource } from './source.js';
import { canonicalUserName, type NameSettings } from './user-names.js';
import { validateUserName } from './username.js';
import { DirectoryUnavailableError, type UserDirectory, type UserRecord } from './users.js';

export interface DirectoryOptions {
  readonly names: NameSettings;
  readonly cache: CacheSettings;
  /** A source call slower than this fails as unavailable (config `users.timeout`). */
  readonly timeoutMs: number;
  /** Lookup and failure events, for metrics and the log. */
  readonly emit?: (event: ServerEvent) => void;
  /** A stored secret that cannot be checked (malformed hash): logged, and a mismatch. */
  readonly onBadSecret?: (user: string | undefined, reason: string) => void;
}

type Edit = keyof SourceEdits;
const EDIT_NAMES: Record<Edit, string> = { add: 'adding users', setPassword: 'changing passwords', remove: 'removing users' };

/**
 * The one user directory that logins, Push3, `pop3d user` and `pop3d deliver` go through, in front of a source
 * (passwd-file, PostgreSQL, LDAP). Names are canonicalised first; found and unknown users are cached (unless
 * the source holds them in memory already, as the passwd-file does); a source
 * that fails or is slower than the timeout makes a call reject with DirectoryUnavailableError, never a
 * wrong password. Edits clear the cache, so the next login sees them.
 */
export class Directory implements UserDirectory {
  readonly #source: UserSource;
  readonly #options: DirectoryOptions;
  readonly #cache: DirectoryCache<SourceEntry>;
  /** Lookups of one name under way: concurrent logins of one user share a query. */
  readonly #pending = new Map<string, Promise<SourceEntry | undefined>>();
  #fallbackDecoy: Promise<Credential | undefined> | undefined;
  /** The strongest credential of the users found so far: the decoy once one is known (see #decoy). */
  #strongestSeen: Credential | undefined;

  constructor(source: UserSource, options: DirectoryOptions) {
    this.#source = source;
    this.#options = options;
    this.#cache = new DirectoryCache(options.cache);
  }

  get kind(): string {
    return this.#source.kind;
  }

  canonical(name: string): string {
    return canonicalUserName(name, this.#options.names);
  }

  async authenticate(user: string, password: string): Promise<boolean> {
    const entry = await this.#entry(user);
    const verifier = entry?.verifier;
    if (verifier?.kind === 'bind') {
      if (this.#source.bind === undefined) return false;
      return this.#timed('bind', () => this.#source.bind!(verifier.dn, password));
    }
    const stored = verifier?.stored;
    const known = stored !== undefined && !('problem' in stored);
    if (known) {
      this.#strongestSeen = strongest([stored, ...(this.#strongestSeen === undefined ? [] : [this.#strongestSeen])]);
      if (await this.#matches(stored, password, entry!.record.name)) return true;
    }
    // Unknown user, one who cannot log in, or a wrong password of a cheaper scheme: do the decoy's work too,
    // so every failure costs the strongest hash in use and timing does not tell them apart.
    const decoy = await this.#decoy();
    if (decoy !== undefined && !(known && stored.scheme === decoy.scheme)) await this.#matches(decoy, password, undefined);
    return false;
  }

  /** Changes whenever the user's password does (see UserDirectory); for a bind user, their DN. */
  async credentialStamp(user: string): Promise<string | undefined> {
    const verifier = (await this.#entry(user))?.verifier;
    if (verifier === undefined) return undefined;
    if (verifier.kind === 'bind') return `bind:${verifier.dn}`;
    if ('problem' in verifier.stored) return undefined;
    // A digest, so that what sessions hold is not even the stored hash.
    return createHash('sha256').update(`${verifier.stored.scheme.name}\0${verifier.stored.secret}`).digest('base64url');
  }

  async plaintextSecret(user: string): Promise<string | undefined> {
    const verifier = (await this.#entry(user))?.verifier;
    if (verifier?.kind !== 'stored' || 'problem' in verifier.stored) return undefined;
    return verifier.stored.scheme.plaintext?.(verifier.stored.secret);
  }

  async exists(user: string): Promise<boolean> {
    return (await this.#entry(user)) !== undefined;
  }

  async lookup(user: string): Promise<UserRecord | undefined> {
    return (await this.#entry(user))?.record;
  }

  async list(): Promise<readonly string[]> {
    const list = this.#source.list?.bind(this.#source);
    if (list === undefined) throw new UserEditError(`listing users is not configured for the ${this.#source.kind} user source`);
    return this.#timed('list', list);
  }

  add(name: string, password: string): Promise<void> {
    return this.#edit('add', (edits) => edits.add!(this.canonical(name), password));
  }

  setPassword(name: string, password: string): Promise<void> {
    return this.#edit('setPassword', (edits) => edits.setPassword!(this.canonical(name), password));
  }

  remove(name: string): Promise<void> {
    return this.#edit('remove', (edits) => edits.remove!(this.canonical(name)));
  }

  /** SIGHUP, or another process edited the users: forget what is cached and re-read what the source keeps. */
  async reload(): Promise<void> {
    this.#cache.clear();
    await this.#source.reload?.();
  }

  async close(): Promise<void> {
    await this.#source.close?.();
  }

  async #edit(edit: Edit, run: (edits: SourceEdits) => Promise<void>): Promise<void> {
    if (this.#source.edits[edit] === undefined) {
      throw new UserEditError(`${EDIT_NAMES[edit]} is not configured for the ${this.#source.kind} user source`);
    }
    try {
      await run(this.#source.edits);
    } catch (error) {
      if (error instanceof UserEditError) throw error;
      throw new DirectoryUnavailableError(`${this.#source.kind} edit failed: ${(error as Error).message}`, { cause: error });
    } finally {
      this.#cache.clear();
    }
  }

  #entry(user: string): Promise<SourceEntry | undefined> {
    const name = this.canonical(user);
    // A name that could never be a user (NUL, control characters, "/", too long) never reaches a query or a filter.
    if (validateUserName(name) !== undefined) return Promise.resolve(undefined);
    if (this.#source.inMemory === true) return this.#fromMemory(name);
    const cached = this.#cache.get(name);
    if (cached !== undefined) {
      this.#report('cached', 0);
      return Promise.resolve(cached.value);
    }
    const pending = this.#pending.get(name);
    if (pending !== undefined) return pending;
    const lookup = this.#timed('lookup', () => this.#source.find(name))
      .then((entry) => {
        this.#cache.set(name, entry);
        return entry;
      })
      .finally(() => this.#pending.delete(name));
    this.#pending.set(name, lookup);
    return lookup;
  }

  /** A source that holds its users in memory: asked every time, as a cache would be. */
  async #fromMemory(name: string): Promise<SourceEntry | undefined> {
    const started = performance.now();
    const entry = await this.#source.find(name);
    this.#report(entry === undefined ? 'unknown' : 'found', performance.now() - started);
    return entry;
  }

  /** Runs a source call under the timeout; its outcome and latency become a lookup event. */
  async #timed<T>(what: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#options.timeoutMs} ms`)), this.#options.timeoutMs);
    });
    try {
      const result = await Promise.race([call(), timeout]);
      if (what === 'lookup') this.#report(result === undefined ? 'unknown' : 'found', performance.now() - started);
      return result;
    } catch (error) {
      const reason = `${this.#source.kind} ${what} failed: ${(error as Error).message}`;
      this.#report('failed', performance.now() - started, reason);
      throw new DirectoryUnavailableError(reason, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  #report(outcome: 'cached' | 'found' | 'unknown' | 'failed', ms: number, reason?: string): void {
    const at = Date.now();
    const source = this.#source.kind;
    this.#options.emit?.({ type: 'directory-lookup', source, outcome, ms, at });
    if (reason !== undefined) this.#options.emit?.({ type: 'directory-failed', source, reason, at });
  }

  /**
   * What an unknown user's password is checked against, so that it costs what a wrong password costs: the
   * source's own decoy (the strongest scheme in the users file), else the strongest credential of the users
   * found so far (a database's schemes are not known in advance), else an Argon2id hash made once.
   */
  #decoy(): Promise<Credential | undefined> {
    const own = this.#source.decoy?.() ?? this.#strongestSeen;
    if (own !== undefined) return Promise.resolve(own);
    this.#fallbackDecoy ??= hashPassword(randomBytes(16).toString('hex')).then((field) => {
      const stored = parseStoredPassword(field);
      return 'problem' in stored ? undefined : stored;
    });
    return this.#fallbackDecoy;
  }

  #matches(credential: Credential, password: string, user: string | undefined): Promise<boolean> {
    return verifyCredential(credential, password, (reason) => this.#options.onBadSecret?.(user, reason));
  }
}
