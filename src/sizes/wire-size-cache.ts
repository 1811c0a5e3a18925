/** What identifies one version of a file's content without reading it. */
export interface FileVersion {
  readonly size: number;
  readonly mtimeMs: number;
}

interface Entry extends FileVersion {
  readonly wireSize: number;
}

/**
 * Wire sizes of scanned messages, so the next session on the same Maildir does not read every message
 * again. Keyed by Maildir, then base name (not path, so a move new/ → cur/ or a flag change keeps it): a
 * listing of 100,000 messages then hashes names it has already hashed, rather than 100,000 fresh paths.
 * Bounded, because a long-running daemon sees an unbounded stream of mail: the Maildirs least recently
 * added to are dropped first, then the oldest entries of the one being added to.
 */
export class WireSizeCache {
  /** Least recently added to first. */
  readonly #maildirs = new Map<string, Map<string, Entry>>();
  /** The Maildir last added to, known to be at the end of #maildirs. */
  #last: string | undefined;
  #count = 0;

  constructor(private readonly maxEntries = 100_000) {}

  /** Whether any version of the message is cached (a listing then stats the file to check whether it is this one). */
  has(maildir: string, baseName: string): boolean {
    return this.#maildirs.get(maildir)?.has(baseName) === true;
  }

  /** The cached size of the message while `version` matches, else undefined. */
  lookup(maildir: string, baseName: string, version: FileVersion): number | undefined {
    const hit = this.#maildirs.get(maildir)?.get(baseName);
    return hit?.size === version.size && hit.mtimeMs === version.mtimeMs ? hit.wireSize : undefined;
  }

  /** Remembers a size measured elsewhere (the listing reads the files itself). */
  remember(maildir: string, baseName: string, version: FileVersion, wireSize: number): void {
    const entries = this.#latest(maildir);
    const size = entries.size;
    entries.delete(baseName);
    entries.set(baseName, { size: version.size, mtimeMs: version.mtimeMs, wireSize });
    this.#count += entries.size - size;
    for (const [oldest, evicted] of this.#maildirs) {
      if (this.#count <= this.maxEntries || evicted === entries) break;
      this.#maildirs.delete(oldest);
      this.#count -= evicted.size;
    }
    if (this.#count > this.maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) this.forget(maildir, oldest.value);
    }
  }

  forget(maildir: string, baseName: string): void {
    const entries = this.#maildirs.get(maildir);
    if (entries?.delete(baseName) === true) this.#count -= 1;
  }

  /** The entries of `maildir`, moved to the most recent end if they are not there already. */
  #latest(maildir: string): Map<string, Entry> {
    let entries = this.#maildirs.get(maildir);
    if (entries === undefined || this.#last !== maildir) {
      entries ??= new Map();
      this.#maildirs.delete(maildir);
      this.#maildirs.set(maildir, entries);
      this.#last = maildir;
    }
    return entries;
  }
}
