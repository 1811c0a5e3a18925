import { defer, mergeMap, type Observable } from 'rxjs';
import type { Protocol, ServerEvent } from '../events/server-events.js';
import type { ForwardedEvent } from './input.js';
import type { EventTally } from './tally.js';

/** What is heard of one of several event sources (a cluster worker), by its id. */
export type SourceUpdate =
  /** Events in order; the tally, when there is one, stands for events among them and folds after them. */
  | { readonly kind: 'events'; readonly source: number; readonly events: readonly ServerEvent[]; readonly tally?: EventTally }
  /** The source is gone, and with it every connection it had open. */
  | { readonly kind: 'gone'; readonly source: number; readonly at: number };

/**
 * Several processes' events as one stream for the metrics reducer, each source's in its own order. When a
 * source is gone, a connection-closed follows for each connection it left open: its sockets died with it,
 * so `*_connections_current` must stop counting them; then a `worker-exited`. The metrics stay a fold of events.
 */
export function eventsFromSources(updates$: Observable<SourceUpdate>): Observable<ForwardedEvent> {
  return defer(() => {
    const open = new Map<number, Map<string, Protocol>>();
    return updates$.pipe(
      mergeMap((update): readonly ForwardedEvent[] => {
        if (update.kind === 'gone') return closeAll(open, update);
        const events = track(open, update.source, update.events);
        return update.tally === undefined ? events : [...events, update.tally];
      }),
    );
  });
}

function track(open: Map<number, Map<string, Protocol>>, source: number, events: readonly ServerEvent[]): readonly ServerEvent[] {
  for (const event of events) {
    if (event.type === 'connection-opened') {
      const mine = open.get(source) ?? new Map<string, Protocol>();
      open.set(source, mine.set(event.connection, event.protocol));
    } else if (event.type === 'connection-closed') {
      open.get(source)?.delete(event.connection);
    }
  }
  return events;
}

function closeAll(open: Map<number, Map<string, Protocol>>, gone: { readonly source: number; readonly at: number }): ServerEvent[] {
  const left = open.get(gone.source) ?? new Map<string, Protocol>();
  open.delete(gone.source);
  const closes = [...left].map(([connection, protocol]): ServerEvent => ({ type: 'connection-closed', protocol, connection, at: gone.at }));
  return [...closes, { type: 'worker-exited', worker: gone.source, at: gone.at }];
}
