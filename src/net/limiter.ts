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
  let total = 0;
  const perAddress = new Map<string, number>();
  const over = (count: number, max: number): boolean => max > 0 && count >= max;
  return {
    admit(address) {
      if (over(total, limits.maxConnections())) return { admitted: false, reason: 'too many connections' };
      const mine = perAddress.get(address) ?? 0;
      if (!limits.exempt(address) && over(mine, limits.maxPerAddress())) {
        return { admitted: false, reason: 'too many connections from this address' };
      }
      total += 1;
      perAddress.set(address, mine + 1);
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          total -= 1;
          const left = (perAddress.get(address) ?? 1) - 1;
          // Only addresses with open connections are kept, so the map cannot grow beyond the open connections.
          if (left === 0) perAddress.delete(address);
          else perAddress.set(address, left);
        },
      };
    },
  };
}
