import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

/**
 * A settled "promise" whose callbacks run synchronously. Ports are Promise-based; in virtual time
 * (TestScheduler) a real Promise would settle outside the scheduler's flush, so in-memory ports
 * return these instead and the session sees I/O complete within the same virtual frame.
 */
export function settled<T>(outcome: { value: T } | { error: unknown }): Promise<T> {
  const thenable = {
    then(onValue?: (value: T) => unknown, onError?: (error: unknown) => unknown): unknown {
      try {
        if ('value' in outcome) return onValue ? settled({ value: onValue(outcome.value) }) : thenable;
        return onError ? settled({ value: onError(outcome.error) }) : thenable;
      } catch (error) {
        return settled({ error });
      }
    },
    catch(onError: (error: unknown) => unknown): unknown {
      return thenable.then(undefined, onError);
    },
  };
  return thenable as unknown as Promise<T>;
}

export const resolved = <T>(value: T): Promise<T> => settled({ value });
export const rejected = <T>(error: unknown): Promise<T> => settled<T>({ error });

/**
 * Just enough of a Readable for fromReadable: emits its chunks synchronously when resumed, so a
 * message body streams inside a virtual-time frame. Pausing stops it between chunks.
 */
export class SyncReadable extends EventEmitter {
  private index = 0;
  private paused = true;
  destroyed = false;

  constructor(private readonly chunks: readonly Buffer[], private readonly failure?: Error) {
    super();
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    while (!this.paused && !this.destroyed && this.index < this.chunks.length) {
      this.emit('data', this.chunks[this.index++]);
    }
    if (!this.destroyed && this.index === this.chunks.length) {
      this.destroyed = true;
      if (this.failure) this.emit('error', this.failure);
      else this.emit('end');
    }
    return this;
  }

  destroy(): this {
    this.destroyed = true;
    return this;
  }

  asReadable(): Readable {
    return this as unknown as Readable;
  }
}
