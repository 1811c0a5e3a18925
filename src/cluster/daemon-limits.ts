import type { LocalThrottle, LoginThrottle } from '../auth/throttle.js';
import type { LocalLimiter } from '../net/limiter.js';
import type { Answer, FromWorker } from './messages.js';

/**
 * The primary's side of shared-limits.ts: one connection limiter and one login throttle for every worker
 * (and the primary's own Push3 LOGINs), so limits and penalties are the daemon's, whatever `workers` says.
 * A worker's admissions are remembered, so those of a worker that dies are released with it.
 */
export class DaemonLimits {
  readonly #limiter: LocalLimiter;
  readonly #throttle: LocalThrottle;
  /** Per worker: its admitted connections, by the id it gave them. */
  readonly #admitted = new Map<number, Map<number, { release(): void }>>();

  constructor(limiter: LocalLimiter, throttle: LocalThrottle) {
    this.#limiter = limiter;
    this.#throttle = throttle;
  }

  /** The throttle itself, for the primary's own logins (Push3). */
  get throttle(): LoginThrottle {
    return this.#throttle;
  }

  /** Carries out a worker's message; returns the answer it waits for, if any. */
  heard(worker: number, message: FromWorker): Answer | undefined {
    switch (message.kind) {
      case 'admit': {
        const admission = this.#limiter.admit(message.address);
        if (!admission.admitted) return { kind: 'admission', id: message.id, refused: admission.reason };
        let mine = this.#admitted.get(worker);
        if (mine === undefined) this.#admitted.set(worker, (mine = new Map()));
        mine.set(message.id, admission);
        return { kind: 'admission', id: message.id };
      }
      case 'release': {
        const mine = this.#admitted.get(worker);
        mine?.get(message.id)?.release();
        mine?.delete(message.id);
        return undefined;
      }
      case 'login-failed':
        return { kind: 'penalty', id: message.id, delayMs: this.#throttle.failed(message.address) };
      case 'login-ok':
        this.#throttle.succeeded(message.address);
        return undefined;
      default:
        return undefined;
    }
  }

  /** A worker is gone: its connections died with it. */
  gone(worker: number): void {
    for (const admission of this.#admitted.get(worker)?.values() ?? []) admission.release();
    this.#admitted.delete(worker);
  }
}
