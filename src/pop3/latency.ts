import { tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { TimedOperation } from '../events/server-events.js';
import type { SessionContext } from './context.js';

/**
 * Starts timing one operation of a session; the function returned reports it once, as a `latency` event
 * (the histograms are folded from those). Later calls do nothing.
 */
export function startTiming(context: SessionContext, operation: TimedOperation, detail: { readonly verb?: string; readonly user?: string } = {}): () => void {
  const started = context.stopwatch();
  let reported = false;
  return () => {
    if (reported) return;
    reported = true;
    const ms = context.stopwatch() - started;
    // Named fields, not a spread of `detail`: one of these per command.
    const { verb, user } = detail;
    context.emit({ type: 'latency', connection: context.connection.id, operation, verb, user, ms, at: context.scheduler.now() });
  };
}

/**
 * Times a port's answer (a stream of one value): from now until that value. An error, or a session gone
 * before the answer, is not timed.
 */
export function timedUntilAnswer<T>(context: SessionContext, operation: TimedOperation, user: string): MonoTypeOperatorFunction<T> {
  const done = startTiming(context, operation, { user });
  return tap({ next: done });
}
