import fc from 'fast-check';
import { from, lastValueFrom, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { BATCH_MS, forwardEvents } from '../../src/cluster/event-forwarding.js';
import { workerCount } from '../../src/cluster/size.js';
import { coalesceBytes } from '../../src/metrics/coalesce.js';
import type { ServerEvent } from '../../src/events/server-events.js';
import { applyEvent, emptyMetrics, type Metrics } from '../../src/metrics/reducer.js';
import { eventsFromSources, type SourceUpdate } from '../../src/metrics/sources.js';
import { bytes, closed, command, opened } from '../support/events.js';

const fold = (events: readonly ServerEvent[]): Metrics => events.reduce(applyEvent, emptyMetrics(0));

/** What the reducer counts, without the clock it keeps (coalescing may drop the latest-stamped event). */
function counted(metrics: Metrics): object {
  const { now: _now, window, ...totals } = metrics;
  return { ...totals, windowBytes: window.reduce((sum, bucket) => sum + bucket.bytes, 0) };
}

/** Events of one batch: stamped within BATCH_MS of each other, across a second boundary at times. */
const anEvent: fc.Arbitrary<ServerEvent> = fc
  .tuple(fc.integer({ min: 99_990, max: 99_990 + BATCH_MS }), fc.constantFrom('a', 'b', 'c'), fc.constantFrom('pop3', 'push3') as fc.Arbitrary<'pop3' | 'push3'>)
  .chain(([at, connection, protocol]) =>
    fc.oneof(
      fc.constant(opened(at, protocol, connection)),
      fc.constant(closed(at, protocol, connection)),
      fc.constant(command(at, 'RETR', protocol)),
      fc
        .tuple(fc.nat(70_000), fc.constantFrom('in', 'out') as fc.Arbitrary<'in' | 'out'>)
        .map(([octets, direction]) => bytes(at, octets, direction, protocol, connection)),
    ),
  );

describe('coalesceBytes', () => {
  it('leaves every total the reducer keeps as it was, bytes in the rate window included', () => {
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 60 }), (batch) => {
        expect(counted(fold(coalesceBytes(batch)))).toEqual(counted(fold(batch)));
      }),
    );
  });

  it('makes one bytes event per connection and direction, keeping the other events in order', () => {
    const batch = [opened(1), bytes(2, 10), command(3, 'RETR'), bytes(4, 5), bytes(5, 7, 'in'), bytes(6, 1)];
    expect(coalesceBytes(batch)).toEqual([opened(1), bytes(2, 16), command(3, 'RETR'), bytes(5, 7, 'in')]);
  });
});

describe('eventsFromSources', () => {
  const run = (updates: SourceUpdate[]): Promise<ServerEvent[]> => lastValueFrom(eventsFromSources(from(updates)).pipe(toArray()));

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
});

describe('forwardEvents', () => {
  it(`sends a batch every ${BATCH_MS} ms when there is something in it, and what is left when flushed`, () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, flush }) => {
      const sent: { at: number; batch: ServerEvent[] }[] = [];
      const events$ = cold('a 9ms b 100ms c', { a: command(0, 'A'), b: command(1, 'B'), c: command(2, 'C') });
      const forwarding = forwardEvents(events$, async (batch) => void sent.push({ at: scheduler.now(), batch: [...batch] }));
      scheduler.schedule(() => void forwarding.flush(), 120);
      flush();
      expect(sent).toEqual([
        { at: 50, batch: [command(0, 'A'), command(1, 'B')] },
        { at: 120, batch: [command(2, 'C')] },
      ]);
    });
  });
});

describe('workerCount', () => {
  it('is the configured number, or one per core for "auto"', () => {
    expect(workerCount(3, 8)).toBe(3);
    expect(workerCount('auto', 8)).toBe(8);
  });
});
