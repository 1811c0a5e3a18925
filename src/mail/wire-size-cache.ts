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
    const hit = this.#entries.get(key);
    if (hit?.size === version.size && hit.mtimeMs === version.mtimeMs) return hit.wireSize;
    const wireSize = await wireSizeOfFile(path);
    this.#entries.delete(key);
    this.#entries.set(key, { size: version.size, mtimeMs: version.mtimeMs, wireSize });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return wireSize;
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }
}
