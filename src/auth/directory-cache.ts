/**
 * Lookups remembered for a while, as Dovecot's auth cache does (`auth_cache_ttl`, `auth_cache_negative_ttl`,
 * `auth_cache_size`): a found user for `ttlMs`, an unknown one for `negativeTtlMs`, at most `maxEntries` in all
 * (the least recently used goes first). A TTL of 0 turns that half off. Failures are never cached.
 */
export interface CacheSettings {
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

export class DirectoryCache<T> {
  /** Map order is recency order: a hit re-inserts its key at the end. */
  readonly #entries = new Map<string, { readonly value: T | undefined; readonly expires: number }>();
  readonly #settings: CacheSettings;
  readonly #now: () => number;

  constructor(settings: CacheSettings) {
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
  }

  /** `{ value }` (undefined for a remembered unknown user) while fresh, else undefined. */
  get(key: string): { readonly value: T | undefined } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return entry;
  }

  set(key: string, value: T | undefined): void {
    const ttl = value === undefined ? this.#settings.negativeTtlMs : this.#settings.ttlMs;
    if (ttl <= 0 || this.#settings.maxEntries <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + ttl });
    if (this.#entries.size > this.#settings.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** SIGHUP and every edit through the directory: the next lookup asks the source again. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
