import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hasErrorCode } from '../process/errno.js';
import { parsePasswdFile } from './passwd-file.js';
import { addUser, removeUser, setPassword } from './passwd-editor.js';
import { parseStoredPassword, strongest, verifyCredential, type Credential, type StoredPassword } from './password-schemes.js';
import type { SourceEdits, SourceEntry, UserSource } from './source.js';
import type { UserDirectory, UserRecord } from './users.js';

/** Something wrong with the users file, structured for the log. Never carries secret material. */
export interface UsersFileProblem {
  readonly path: string;
  readonly line?: number;
  readonly user?: string;
  readonly reason: string;
}

export type ProblemLogger = (problem: UsersFileProblem) => void;

/** `path:line: user name: reason`, for humans. */
export function formatProblem({ path, line, user, reason }: UsersFileProblem): string {
  return `${path}${line === undefined ? '' : `:${line}`}: ${user === undefined ? '' : `user ${user}: `}${reason}`;
}

/** Without an injected logger, problems still surface, as process warnings on stderr. */
const warn: ProblemLogger = (problem) => process.emitWarning(formatProblem(problem));

/** One reading of the file. Replaced whole on reload, so a login never sees half of two versions. */
interface Snapshot {
  readonly accounts: ReadonlyMap<string, { readonly stored: StoredPassword; readonly record: UserRecord }>;
  readonly names: readonly string[];
  /**
   * What an unknown user's password is checked against: a real credential of the strongest scheme in use,
   * so the wasted work matches a real login in scheme and cost parameters alike. Its result is discarded.
   */
  readonly decoy: Credential | undefined;
}

async function readSnapshot(path: string, log: ProblemLogger, missingFileIsEmpty = false): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (missingFileIsEmpty && hasErrorCode(error, 'ENOENT')) return readSnapshotOf(path, '', log);
    throw new Error(`cannot read users file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return readSnapshotOf(path, text, log);
}

function readSnapshotOf(path: string, text: string, log: ProblemLogger): Snapshot {
  const { entries, problems } = parsePasswdFile(text);
  for (const { line, reason } of problems) log({ path, line, reason });
  const accounts = new Map<string, { stored: StoredPassword; record: UserRecord }>();
  const credentials: Credential[] = [];
  for (const entry of entries) {
    const stored = parseStoredPassword(entry.password);
    if ('problem' in stored) {
      log({ path, line: entry.line, user: entry.name, reason: `${stored.problem}; login disabled` });
    } else {
      credentials.push(stored);
    }
    if (entry.mailProblem !== undefined) {
      log({ path, line: entry.line, user: entry.name, reason: `${entry.mailProblem}; mail.maildir is used instead` });
    }
    accounts.set(entry.name, { stored, record: { name: entry.name, home: entry.home, maildir: entry.maildir } });
  }
  return { accounts, names: entries.map((entry) => entry.name), decoy: strongest(credentials) };
}

/** The users of a Dovecot passwd-file (see passwd-file.ts), read into memory. */
export class PasswdFileDirectory implements UserDirectory, UserSource {
  readonly kind = 'passwd-file';
  readonly inMemory = true;
  /** Atomic rewrites of the file (passwd-editor.ts); the caller reloads after each. */
  readonly edits: SourceEdits = {
    add: (name, password) => addUser(this.path, name, password),
    setPassword: (name, password) => setPassword(this.path, name, password),
    remove: (name) => removeUser(this.path, name),
  };

  private constructor(
    readonly path: string,
    private readonly log: ProblemLogger,
    private snapshot: Snapshot,
  ) {}

  /** Rejects, naming the path, when the file cannot be read; bad lines are only logged. */
  static async load(path: string, log: ProblemLogger = warn, options: { missingFileIsEmpty?: boolean } = {}): Promise<PasswdFileDirectory> {
    return new PasswdFileDirectory(path, log, await readSnapshot(path, log, options.missingFileIsEmpty));
  }

  /** Re-reads the file (SIGHUP, after an edit). When it cannot be read, rejects and keeps the users it had. */
  async reload(): Promise<void> {
    this.snapshot = await readSnapshot(this.path, this.log);
  }

  /**
   * Every failure costs at least one check against the decoy, whatever the user's scheme and whether the
   * user exists: a wrong password for a cheap scheme (`{PLAIN}`) also pays the decoy, so failures for known
   * and unknown names take the same time. A success costs only its own check.
   */
  async authenticate(user: string, password: string): Promise<boolean> {
    const { accounts, decoy } = this.snapshot;
    const stored = accounts.get(user)?.stored;
    const known = stored !== undefined && !('problem' in stored);
    if (known && (await this.matches(stored, password, user))) return true;
    // Unknown user, one who cannot log in, or a wrong password of a cheaper scheme: do the decoy's work.
    if (decoy !== undefined && !(known && stored.scheme === decoy.scheme)) await this.matches(decoy, password, undefined);
    return false;
  }

  async plaintextSecret(user: string): Promise<string | undefined> {
    const stored = this.snapshot.accounts.get(user)?.stored;
    if (stored === undefined || 'problem' in stored) return undefined;
    return stored.scheme.plaintext?.(stored.secret);
  }

  async credentialStamp(user: string): Promise<string | undefined> {
    const stored = this.snapshot.accounts.get(user)?.stored;
    if (stored === undefined || 'problem' in stored) return undefined;
    // A digest, so that what sessions hold is not even the stored hash.
    return createHash('sha256').update(`${stored.scheme.name}\0${stored.secret}`).digest('base64url');
  }

  async exists(user: string): Promise<boolean> {
    return this.snapshot.accounts.has(user);
  }

  async list(): Promise<readonly string[]> {
    return this.snapshot.names;
  }

  async lookup(user: string): Promise<UserRecord | undefined> {
    return this.snapshot.accounts.get(user)?.record;
  }

  async find(name: string): Promise<SourceEntry | undefined> {
    const account = this.snapshot.accounts.get(name);
    return account && { record: account.record, verifier: { kind: 'stored', stored: account.stored } };
  }

  decoy(): Credential | undefined {
    return this.snapshot.decoy;
  }

  /** A malformed secret is a mismatch, and logged. `user` is undefined for the decoy. */
  private matches(credential: Credential, password: string, user: string | undefined): Promise<boolean> {
    return verifyCredential(credential, password, (reason) => {
      const whose = user === undefined ? ' (the decoy for unknown users)' : '';
      this.log({ path: this.path, user, reason: reason.replace(' secret', ` secret${whose}`) });
    });
  }
}
