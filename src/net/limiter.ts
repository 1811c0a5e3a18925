/** Limits read at each admission, so a live change (Push3 SET, reload) applies to the next connection. */
export interface ConnectionLimits {
  /** All connections together; 0 means no limit. */
  readonly maxConnections: () => number;
  /** Connections from one address; 0 means no limit. */
  readonly maxPerAddress: () => number;
  /** Addresses the per-address limit does not apply to (trusted networks). */
  readonly exempt: (address: string) => boolean;
}

export type RefusalReason = 'too many connections' | 'too many connections from this address';

export type Admission =
  | { readonly admitted: true; /** Call once, when the connection is closed. */ release(): void }
  | { readonly admitted: false; readonly reason: RefusalReason };

export interface ConnectionLimiter {
  /**
   * Counts the connection in, or says which limit it is over. `address` must be normalized. A promise where
   * the counts are kept elsewhere (a cluster worker asks its primary, which counts for the whole daemon).
   */
  admit(address: string): Admission | Promise<Admission>;
}

/** A limiter whose counts are here: every admission is decided at once. */
export interface LocalLimiter extends ConnectionLimiter {
  admit(address: string): Admission;
}

export function connectionLimiter(limits: ConnectionLimits): LocalLimiter {
  return new CountingLimiter(limits);
}

/** The counts, and the admissions they give out: classes, as an open connection holds its admission. */
class CountingLimiter implements LocalLimiter {
  total = 0;
  /** Only addresses with open connections are kept, so the map cannot grow beyond the open connections. */
  readonly perAddress = new Map<string, number>();

  constructor(readonly limits: ConnectionLimits) {}

  admit(address: string): Admission {
    const { limits } = this;
    if (over(this.total, limits.maxConnections())) return { admitted: false, reason: 'too many connections' };
    const mine = this.perAddress.get(address) ?? 0;
    if (!limits.exempt(address) && over(mine, limits.maxPerAddress())) {
      return { admitted: false, reason: 'too many connections from this address' };
    }
    this.total += 1;
    this.perAddress.set(address, mine + 1);
    return new CountedAdmission(this, address);
  }
}

const over = (count: number, max: number): boolean => max > 0 && count >= max;

class CountedAdmission {
  readonly admitted = true;
  #released = false;

  constructor(
    readonly limiter: CountingLimiter,
    readonly address: string,
  ) {}

  release(): void {
    if (this.#released) return;
    this.#released = true;
    const { limiter, address } = this;
    limiter.total -= 1;
    const left = (limiter.perAddress.get(address) ?? 1) - 1;
    if (left === 0) limiter.perAddress.delete(address);
    else limiter.perAddress.set(address, left);
  }
}
