import { asyncScheduler, bufferTime, filter, map, Subject, takeUntil, withLatestFrom, type Observable, type SchedulerLike } from 'rxjs';
import { coalesceBytes } from '../metrics/coalesce.js';
import { tallyBatch, type EventTally } from '../metrics/tally.js';
import type { ServerEvent } from '../events/server-events.js';

/** Events wait at most this long in a worker: Push3 and Prometheus lag the workers by no more. */
export const BATCH_MS = 50;
/** Bounds one IPC message (and what a burst makes the worker hold). */
export const MAX_BATCH = 2000;

/** One batch as sent: the events in order; the tally, if any, stands for some of them. */
export interface ForwardedBatch {
  readonly events: readonly ServerEvent[];
  readonly tally?: EventTally;
}

export interface EventForwarding {
  /** Sends what is still buffered, stops, and resolves once the last batch has been handed to the channel. */
  flush(): Promise<void>;
}

/**
 * A worker's events to the primary, in batches (IPC per event would cost more than the event). While
 * `watched$` says that nothing follows them one by one, a batch's commands, retrievals and latencies go as a
 * tally: they are most of the events, and parsing and folding them was most of the primary's work.
 */
export function forwardEvents(
  events$: Observable<ServerEvent>,
  watched$: Observable<boolean>,
  send: (batch: ForwardedBatch) => Promise<void>,
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
        withLatestFrom(watched$),
        map(([batch, watched]) => (watched ? { events: coalesceBytes(batch) } : tallyBatch(coalesceBytes(batch)))),
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
