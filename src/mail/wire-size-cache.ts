import { wireSizeOfFile } from './wire-size.js';

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
 * again. Bounded, oldest entry evicted first, because a long-running daemon sees an unbounded stream of mail.
 */
export class WireSizeCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 100_000) {}

  /** The cached size while `version` matches, else a fresh scan of `path`, remembered under `key`. */
  async measure(key: string, path: string, version: FileVersion): Promise<number> {
    const hit = this.lookup(key, version);
    if (hit !== undefined) return hit;
    const wireSize = await wireSizeOfFile(path);
    this.remember(key, version, wireSize);
    return wireSize;
  }

  /** Whether any version of `key` is cached (a listing then stats the file to check whether it is this one). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The cached size of `key` while `version` matches, else undefined. */
  lookup(key: string, version: FileVersion): number | undefined {
    const hit = this.#entries.get(key);
    return hit?.size === version.size && hit.mtimeMs === version.mtimeMs ? hit.wireSize : undefined;
  }

  /** Remembers a size measured elsewhere (the listing reads small files itself). */
  remember(key: string, version: FileVersion, wireSize: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { size: version.size, mtimeMs: version.mtimeMs, wireSize });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}
