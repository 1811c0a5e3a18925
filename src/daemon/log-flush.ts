import type { EventEmitter } from 'node:events';

/** What flushWhilePending needs of a gathering destination (sonic-boom). */
export interface GatheringDestination extends EventEmitter {
  flush(): void;
}

export interface PendingFlush {
  /** For pino's `hooks.streamWrite`: notes that a line went in, and passes it on unchanged. */
  readonly noteLine: (line: string) => string;
}

/**
 * Writes what a gathering destination holds every `intervalMs`, but only when it may hold something.
 * sonic-boom's own `periodicFlush` writes an empty string on every tick, idle or not: a threadpool thread
 * and the event loop woken ten times a second on a daemon with nothing to say.
 *
 * Something may be held after a line went in, or after a write that wrote something (lines that came in
 * while it ran stay behind it, below the destination's minimum length). A tick after neither does nothing.
 * The timer does not keep the process alive, and stops when the destination closes.
 */
export function flushWhilePending(destination: GatheringDestination, intervalMs: number): PendingFlush {
  let pending = false;
  const timer = setInterval(() => {
    if (!pending) return;
    pending = false;
    destination.flush();
  }, intervalMs).unref();
  destination.on('write', (octets: number) => {
    if (octets > 0) pending = true;
  });
  destination.once('close', () => clearInterval(timer));
  return {
    noteLine: (line) => {
      pending = true;
      return line;
    },
  };
}
