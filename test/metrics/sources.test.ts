import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import type { ForwardedEvent } from '../../src/metrics/input.js';
import type { EventTally } from '../../src/metrics/tally.js';
import { eventsFromSources, type SourceUpdate } from '../../src/metrics/sources.js';
import { closed, foldEvents as fold, opened } from '../support/events.js';

describe('eventsFromSources', () => {
  const run = (updates: SourceUpdate[]): Promise<ForwardedEvent[]> => lastValueFrom(eventsFromSources(from(updates)).pipe(toArray()));

  it("passes each source's events on; a source gone closes what it left open, and only that", async () => {
    const events = await run([
      { kind: 'events', source: 1, events: [opened(1, 'pop3', 'x'), opened(2, 'pop3', 'y')] },
      { kind: 'events', source: 2, events: [opened(3, 'pop3', 'z')] },
      { kind: 'events', source: 1, events: [closed(4, 'pop3', 'x')] },
      { kind: 'gone', source: 1, at: 9 },
      { kind: 'gone', source: 1, at: 10 },
    ]);
    const exited = (at: number): ServerEvent => ({ type: 'worker-exited', worker: 1, at });
    expect(events).toEqual([
      ...[opened(1, 'pop3', 'x'), opened(2, 'pop3', 'y'), opened(3, 'pop3', 'z'), closed(4, 'pop3', 'x'), closed(9, 'pop3', 'y')],
      ...[exited(9), exited(10)],
    ]);
    const metrics = fold(events);
    expect(metrics.connections.pop3).toEqual({ current: 1, total: 3 });
    expect(metrics.workerExits).toBe(2);
  });

  it("puts a batch's tally after its events", async () => {
    const tally: EventTally = { type: 'tally', at: 2, commands: { STAT: 1 }, latest: [['x', 'STAT', true]], retrieved: 0, latencies: {} };
    const events = await run([
      { kind: 'events', source: 1, events: [opened(1, 'pop3', 'x'), closed(3, 'pop3', 'x')], tally },
      { kind: 'events', source: 1, events: [opened(4, 'pop3', 'y')] },
    ]);
    expect(events).toEqual([opened(1, 'pop3', 'x'), closed(3, 'pop3', 'x'), tally, opened(4, 'pop3', 'y')]);
  });
});
