import { NO_LOGIN_FAILURES, type LoginFailureFigures, type MetricsInput } from './input.js';

/**
 * Failed logins (POP3 and Push3) per client address over the last minute, reduced to two bounded figures:
 * the most failures from any one address, and how many addresses failed. Prometheus gets these instead of a
 * series per address, which would be a series per attacker.
 *
 * This is a hot path, so the state is mutable and every step is O(1) (amortised): a queue of the failures
 * in the window, a count per address, and how many addresses have each count (so the maximum is known
 * without scanning). Memory is bounded by `maxAddresses` tracked addresses (least recently failed dropped
 * first) and `maxFailures` failures in the window (oldest dropped first).
 */
export interface LoginFailureLimits {
  readonly windowMs?: number;
  readonly maxAddresses?: number;
  readonly maxFailures?: number;
}

/** One tracked address; a queued failure points at the entry it counted in, which may have been dropped. */
interface AddressEntry {
  readonly address: string;
  count: number;
  dropped: boolean;
}

interface QueuedFailure {
  readonly at: number;
  readonly entry: AddressEntry;
}

export class LoginFailureWindow {
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  readonly #maxFailures: number;
  /** Insertion order is the order of the latest failure: the first key is the least recently failed. */
  readonly #byAddress = new Map<string, AddressEntry>();
  /** Failures in the window, oldest first; `#head` is the first live one (a growing array, compacted). */
  #queue: QueuedFailure[] = [];
  #head = 0;
  /** `#withCount[c]`: how many tracked addresses have exactly c failures in the window. */
  readonly #withCount: number[] = [0];
  #worst = 0;

  constructor(limits: LoginFailureLimits = {}) {
    this.#windowMs = limits.windowMs ?? 60_000;
    this.#maxAddresses = limits.maxAddresses ?? 10_000;
    this.#maxFailures = limits.maxFailures ?? 100_000;
  }

  /** Follows one event (or clock tick): failed logins, and time passing. */
  apply(event: MetricsInput): void {
    this.#expire(event.at);
    if (event.type === 'auth' && !event.ok && event.address !== undefined) this.#fail(event.address, event.at);
  }

  get worstAddress(): number {
    return this.#worst;
  }

  get addresses(): number {
    return this.#byAddress.size;
  }

  #fail(address: string, at: number): void {
    let entry = this.#byAddress.get(address);
    if (entry === undefined) {
      if (this.#byAddress.size >= this.#maxAddresses) this.#dropLeastRecent();
      entry = { address, count: 0, dropped: false };
    } else {
      this.#byAddress.delete(address); // re-inserted below: now the most recent
    }
    this.#byAddress.set(address, entry);
    this.#setCount(entry, entry.count + 1);
    this.#queue.push({ at, entry });
    if (this.#queue.length - this.#head > this.#maxFailures) this.#dequeue();
  }

  /** Drops the failures older than the window at `now`. */
  #expire(now: number): void {
    const oldest = now - this.#windowMs;
    while (this.#head < this.#queue.length && this.#queue[this.#head]!.at <= oldest) this.#dequeue();
  }

  #dequeue(): void {
    const { entry } = this.#queue[this.#head]!;
    this.#head += 1;
    if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (entry.dropped) return;
    this.#setCount(entry, entry.count - 1);
    if (entry.count === 0) this.#forget(entry);
  }

  #forget(entry: AddressEntry): void {
    this.#byAddress.delete(entry.address);
    entry.dropped = true;
  }

  #dropLeastRecent(): void {
    const entry = this.#byAddress.values().next().value!;
    this.#setCount(entry, 0);
    this.#forget(entry);
  }

  #setCount(entry: AddressEntry, count: number): void {
    if (entry.count > 0) this.#withCount[entry.count]! -= 1;
    entry.count = count;
    if (count > 0) this.#withCount[count] = (this.#withCount[count] ?? 0) + 1;
    if (count > this.#worst) this.#worst = count;
    while (this.#worst > 0 && (this.#withCount[this.#worst] ?? 0) === 0) this.#worst -= 1;
  }
}

/**
 * Follows one input and returns it, followed by the new figures when they changed: how the fold hears of
 * failures per address without holding the per-address state itself.
 */
export function withLoginFailures(window: LoginFailureWindow, input: MetricsInput): readonly MetricsInput[] {
  const { worstAddress, addresses } = window;
  window.apply(input);
  if (window.worstAddress === worstAddress && window.addresses === addresses) return [input];
  return [input, { type: 'login-failures', at: input.at, worstAddress: window.worstAddress, addresses: window.addresses }];
}
