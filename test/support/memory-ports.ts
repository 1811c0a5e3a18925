import type { UserDirectory, UserRecord } from '../../src/auth/users.js';
import {
  MaildropLockedError,
  type CommitResult,
  type Maildrop,
  type MaildropStore,
} from '../../src/mail/maildrop.js';
import { rejected, resolved, SyncReadable } from './sync.js';

/** Wire size as the Maildir adapter computes it: bare LF counts as CRLF, a final line end is added. */
export function wireSize(text: string): number {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  return Buffer.byteLength(crlf) + (crlf.length > 0 && !crlf.endsWith('\r\n') ? 2 : 0);
}

/**
 * An in-memory maildrop store with real lock semantics, for marble and unit tests. Its I/O settles
 * synchronously (see sync.ts) so sessions run entirely in virtual time.
 */
export class MemoryMaildrops implements MaildropStore {
  readonly boxes = new Map<string, { uid: string; text: string }[]>();
  readonly locked = new Set<string>();
  /** Indexes whose files "vanished" after the session opened them. */
  readonly vanished = new Set<string>();
  readonly commits: { user: string; deleted: number[] }[] = [];
  /** UIDs of the messages marked seen (retrieved whole), in order. */
  readonly seen: string[] = [];

  constructor(boxes: Record<string, string[]> = {}) {
    for (const [user, texts] of Object.entries(boxes)) {
      this.boxes.set(
        user,
        texts.map((text, index) => ({ uid: `uid-${user}-${index + 1}`, text })),
      );
    }
  }

  /** Split every message body into chunks of this many octets, to exercise chunk borders. */
  chunkSize = Number.POSITIVE_INFINITY;

  open(user: string): Promise<Maildrop> {
    if (this.locked.has(user)) return rejected(new MaildropLockedError(user));
    this.locked.add(user);
    const box = [...(this.boxes.get(user) ?? [])];
    let held = true;
    const unlock = (): void => {
      if (held) this.locked.delete(user);
      held = false;
    };
    return resolved<Maildrop>({
      user,
      messages: box.map((message) => ({ uid: message.uid, size: wireSize(message.text) })),
      read: (index) => {
        const message = box[index]!;
        if (this.vanished.has(message.uid)) {
          return new SyncReadable([], Object.assign(new Error('ENOENT'), { code: 'ENOENT' })).asReadable();
        }
        return new SyncReadable(chunked(Buffer.from(message.text), this.chunkSize)).asReadable();
      },
      markSeen: (index) => void this.seen.push(box[index]!.uid),
      commit: (deleted): Promise<CommitResult> => {
        const uids = new Set([...deleted].map((index) => box[index]!.uid));
        this.boxes.set(
          user,
          (this.boxes.get(user) ?? []).filter((message) => !uids.has(message.uid)),
        );
        this.commits.push({ user, deleted: [...deleted].sort() });
        unlock();
        return resolved({ removed: uids.size, failed: 0 });
      },
      release: () => resolved(unlock()),
    });
  }
}

function chunked(buffer: Buffer, size: number): Buffer[] {
  if (buffer.length === 0) return [];
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return chunks;
}

export class MemoryUsers implements UserDirectory {
  constructor(private readonly passwords: Record<string, string>) {}
  authenticate(user: string, password: string): Promise<boolean> {
    return resolved(Object.hasOwn(this.passwords, user) && this.passwords[user] === password);
  }
  plaintextSecret(user: string): Promise<string | undefined> {
    return resolved(Object.hasOwn(this.passwords, user) ? this.passwords[user] : undefined);
  }
  exists(user: string): Promise<boolean> {
    return resolved(Object.hasOwn(this.passwords, user));
  }
  list(): Promise<readonly string[]> {
    return resolved(Object.keys(this.passwords));
  }
  lookup(user: string): Promise<UserRecord | undefined> {
    return resolved(Object.hasOwn(this.passwords, user) ? { name: user } : undefined);
  }

  credentialStamp(user: string): Promise<string | undefined> {
    return resolved(Object.hasOwn(this.passwords, user) ? `password:${this.passwords[user]}` : undefined);
  }
}
