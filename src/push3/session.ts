import {
  connect,
  defer,
  distinctUntilChanged,
  EMPTY,
  endWith,
  filter,
  ignoreElements,
  interval,
  map,
  merge,
  mergeScan,
  of,
  switchMap,
  takeUntil,
  takeWhile,
  withLatestFrom,
  type Observable,
} from 'rxjs';
import { formatMetrics } from '../metrics/catalogue.js';
import type { ServerEvent } from '../metrics/events.js';
import type { SessionFactory } from '../net/connection.js';
import { ENDLESS_LINE_REPLY } from '../net/lines.js';
import { onEach } from '../net/on-each.js';
import { precededBy } from '../net/preceded-by.js';
import { SilenceClock } from '../net/silence.js';
import type { Transition } from './command.js';
import type { Push3Context, Push3Service } from './context.js';
import { step } from './dispatch.js';
import { parseLine } from './parse.js';
import { fail, success } from './replies.js';
import { initialState, watchedEvents, watchInterval, type EventFilter } from './state.js';

export const GREETING = success('Push3 ready').line;
const INACTIVE = fail('disconnected for inactivity').line;

const start: Transition = { state: initialState, reply: success() };
/** An endless line is the input's last: answered, then the session ends. */
const ENDLESS: Transition = { state: { phase: 'closed' }, reply: fail(ENDLESS_LINE_REPLY) };

/**
 * A Push3 session as one stream: lines are parsed and folded in order through `step` (one at a time, so a
 * slow LOGIN still answers before the next line), each transition giving one reply line. Beside the
 * replies runs the WATCH stream; both are whole lines, so they interleave without tearing. A session with
 * neither a line in nor a line out for the idle timeout is ended with a `->FAIL:` line.
 */
export function push3Session(service: Push3Service): SessionFactory {
  return (lines$, connection) =>
    defer(() => {
      const context: Push3Context = { ...service, connection };
      // The same allowance as POP3's autologout (the live `idle_timeout`); WATCH output counts as activity.
      const silence = new SilenceClock(context.scheduler, () => context.settings.current.idleTimeoutSeconds * 1000);
      const session$ = lines$.pipe(
        onEach(() => silence.touch()),
        mergeScan(
          (previous: Transition, line) =>
            line.kind === 'endless' ? of(ENDLESS) : step(previous.state, parseLine(line), context),
          start,
          1,
        ),
        takeWhile((transition) => transition.state.phase !== 'closed', true),
        // One fold feeds both the replies and the watch stream, without subscribing to the input twice.
        connect((transitions$) =>
          merge(
            transitions$.pipe(map((transition) => transition.reply.line)),
            watchLines(transitions$, context),
            eventLines(transitions$, context),
          ),
        ),
        silence.endAfter(() => of(INACTIVE)),
      );
      return precededBy(GREETING, session$);
    });
}

/**
 * The state says whether and how often to watch; `switchMap` turns each change into a fresh interval that
 * samples the shared metrics (UNWATCH and FINISH switch to nothing). The end of the session ends it too,
 * which unsubscribes from the metrics stream.
 */
function watchLines(transitions$: Observable<Transition>, context: Push3Context): Observable<string> {
  return transitions$.pipe(
    map((transition) => watchInterval(transition.state)),
    distinctUntilChanged(),
    switchMap((ms) =>
      ms === undefined
        ? EMPTY
        : interval(ms, context.scheduler).pipe(
            withLatestFrom(context.metrics$, context.connection.outputPaused$),
            // A client that does not read skips samples rather than have them pile up in the socket.
            filter(([, , paused]) => !paused),
            map(([, metrics]) => success(formatMetrics(metrics)).line),
          ),
    ),
    takeUntil(transitions$.pipe(ignoreElements(), endWith(undefined))),
  );
}

/**
 * With a WATCH filter, the matching events as they happen, one `->SUCCESS: event {json}` line each (byte
 * counts excepted: one per socket write would drown everything else). Events never carry passwords. While
 * the client is not reading, events are skipped rather than queued.
 */
function eventLines(transitions$: Observable<Transition>, context: Push3Context): Observable<string> {
  return transitions$.pipe(
    map((transition) => watchedEvents(transition.state)),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    switchMap((watched) =>
      watched === undefined
        ? EMPTY
        : defer(() => {
            const wanted = eventFilter(watched);
            return context.events$.pipe(
              withLatestFrom(context.connection.outputPaused$),
              filter(([event, paused]) => !paused && event.type !== 'bytes' && wanted(event)),
              map(([event]) => success(`event ${JSON.stringify(event)}`).line),
            );
          }),
    ),
    takeUntil(transitions$.pipe(ignoreElements(), endWith(undefined))),
  );
}

/** A predicate over events; for one user, it follows the connections that user logged in on. */
function eventFilter(watched: EventFilter): (event: ServerEvent) => boolean {
  if (watched.kind === 'all') return () => true;
  const theirs = new Set<string>();
  return (event) => {
    if (!('connection' in event)) return false;
    if (event.type === 'auth' && event.ok && event.user === watched.user) theirs.add(event.connection);
    const mine = theirs.has(event.connection) || ('user' in event && event.user === watched.user);
    if (event.type === 'connection-closed') theirs.delete(event.connection);
    return mine;
  };
}
