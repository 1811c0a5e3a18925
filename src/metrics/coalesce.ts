import type { ServerEvent } from '../events/server-events.js';

type BytesEvent = Extract<ServerEvent, { type: 'bytes' }>;

/**
 * A batch of events with its `bytes` events summed per connection, at the place (and time) of the first
 * of them. The reducer's totals come out the same, and a busy transfer costs one event per batch on the way
 * to the primary instead of one per exchange.
 */
export function coalesceBytes(batch: readonly ServerEvent[]): ServerEvent[] {
  const out: ServerEvent[] = [];
  const slot = new Map<string, number>();
  for (const event of batch) {
    if (event.type !== 'bytes') {
      out.push(event);
      continue;
    }
    const key = `${event.protocol} ${event.connection}`;
    const at = slot.get(key);
    if (at === undefined) {
      slot.set(key, out.length);
      out.push(event);
    } else {
      const first = out[at] as BytesEvent;
      out[at] = { ...first, received: first.received + event.received, sent: first.sent + event.sent };
    }
  }
  return out;
}
