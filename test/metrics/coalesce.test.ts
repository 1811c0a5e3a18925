import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_MS } from '../../src/cluster/event-forwarding.js';
import type { ServerEvent } from '../../src/events/server-events.js';
import { coalesceBytes } from '../../src/metrics/coalesce.js';
import { bucketsOf } from '../../src/metrics/rate-window.js';
import type { Metrics } from '../../src/metrics/reducer.js';
import { bytes, closed, command, exchange, foldEvents as fold, opened } from '../support/events.js';

/** What the reducer counts, without the clock it keeps (coalescing may drop the latest-stamped event). */
function counted(metrics: Metrics): object {
  const { now: _now, window, ...totals } = metrics;
  return { ...totals, windowBytes: bucketsOf(window).reduce((sum, bucket) => sum + bucket.bytes, 0) };
}

/** Events of one batch: stamped within BATCH_MS of each other, across a second boundary at times. */
const anEvent: fc.Arbitrary<ServerEvent> = fc
  .tuple(fc.integer({ min: 99_990, max: 99_990 + BATCH_MS }), fc.constantFrom('a', 'b', 'c'), fc.constantFrom('pop3', 'push3') as fc.Arbitrary<'pop3' | 'push3'>)
  .chain(([at, connection, protocol]) =>
    fc.oneof(
      fc.constant(opened(at, protocol, connection)),
      fc.constant(closed(at, protocol, connection)),
      fc.constant(command(at, 'RETR', protocol)),
      fc.tuple(fc.nat(100), fc.nat(70_000)).map(([received, sent]) => exchange(at, received, sent, protocol, connection)),
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

  it('makes one bytes event per connection, both ways summed, keeping the other events in order', () => {
    const other = exchange(4, 1, 2, 'pop3', 'other');
    const batch = [opened(1), bytes(2, 10), command(3, 'RETR'), other, bytes(4, 5), bytes(5, 7, 'in'), exchange(6, 2, 1)];
    expect(coalesceBytes(batch)).toEqual([opened(1), exchange(2, 9, 16), command(3, 'RETR'), other]);
  });
});
