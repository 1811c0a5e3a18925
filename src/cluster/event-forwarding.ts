import { asyncScheduler, bufferTime, filter, map, Subject, takeUntil, type Observable, type SchedulerLike } from 'rxjs';
import { coalesceBytes } from '../metrics/coalesce.js';
import type { ServerEvent } from '../events/server-events.js';

/** Events wait at most this long in a worker: Push3 and Prometheus lag the workers by no more. */
export const BATCH_MS = 50;
/** Bounds one IPC message (and what a burst makes the worker hold). */
export const MAX_BATCH = 2000;

export interface EventForwarding {
  /** Sends what is still buffered, stops, and resolves once the last batch has been handed to the channel. */
  flush(): Promise<void>;
}

/** A worker's events to the primary, in batches (IPC per event would cost more than the event). */
export function forwardEvents(
  events$: Observable<ServerEvent>,
  send: (events: readonly ServerEvent[]) => Promise<void>,
  scheduler: SchedulerLike = asyncScheduler,
): EventForwarding {
  const stop$ = new Subject<void>();
  let sent = Promise.resolve();
  const finished = new Promise<void>((resolve) => {
    events$
      .pipe(
        takeUntil(stop$),
        bufferTime(BATCH_MS, null, MAX_BATCH, scheduler),
        filter((batch) => batch.length > 0),
        map(coalesceBytes),
      )
      .subscribe({ next: (batch) => void (sent = send(batch)), complete: resolve });
  });
  return {
    async flush() {
      stop$.next();
      await finished;
      await sent;
    },
  };
}
