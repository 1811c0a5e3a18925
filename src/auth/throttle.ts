/**
 * Brute-force brake: each failed login from an address holds that failure's reply back longer (doubling from
 * a base, up to a cap), until a login from the address succeeds or it has been quiet for a while. It only
 * computes delays; the session waits them out on its scheduler, so nothing blocks and tests run in virtual time.
 */
export interface ThrottleSettings {
  /** Delay for the first failure; doubles with each further one. 0 turns the penalty off. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** The clock the quiet period is measured on (the scheduler's, in tests). */
  readonly now: () => number;
}

export interface LoginThrottle {
  /**
   * Records a failed login from `address`; returns how long to hold back its reply (in ms). A promise where
   * the records are kept elsewhere (a cluster worker asks its primary, which keeps them for the whole daemon).
   */
  failed(address: string): number | Promise<number>;
  /** A successful login clears the address's record. */
  succeeded(address: string): void;
}

/** After this much quiet an address starts again from the base delay. */
export const FORGET_AFTER_MS = 15 * 60_000;
/** Bounds memory under a distributed attack: the longest-quiet address is forgotten first. */
export const MAX_TRACKED_ADDRESSES = 10_000;

/** Pure: the delay for the `failures`-th consecutive failure (1-based). */
export function penaltyMs(failures: number, settings: Pick<ThrottleSettings, 'baseDelayMs' | 'maxDelayMs'>): number {
  // The exponent is capped so the power stays finite; the cap on the delay applies after.
  return Math.min(settings.baseDelayMs * 2 ** Math.min(failures - 1, 40), settings.maxDelayMs);
}

/** A throttle whose records are here: every delay is known at once. */
export interface LocalThrottle extends LoginThrottle {
  failed(address: string): number;
}

export function loginThrottle(settings: ThrottleSettings): LocalThrottle {
  // Insertion order is recency order: every failure re-inserts its address at the end.
  const records = new Map<string, { failures: number; last: number }>();
  return {
    failed(address) {
      const now = settings.now();
      const previous = records.get(address);
      const failures = previous !== undefined && now - previous.last < FORGET_AFTER_MS ? previous.failures + 1 : 1;
      records.delete(address);
      records.set(address, { failures, last: now });
      if (records.size > MAX_TRACKED_ADDRESSES) records.delete(records.keys().next().value!);
      return penaltyMs(failures, settings);
    },
    succeeded(address) {
      records.delete(address);
    },
  };
}
