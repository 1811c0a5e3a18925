import { of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { BATCH_MS, forwardEvents, type ForwardedBatch } from '../../src/cluster/event-forwarding.js';
import { command, opened } from '../support/events.js';

describe('forwardEvents', () => {
  it(`sends a batch every ${BATCH_MS} ms when there is something in it, and what is left when flushed`, () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, flush }) => {
      const sent: { at: number; batch: ForwardedBatch }[] = [];
      const events$ = cold('a 9ms b 100ms c', { a: command(0, 'A'), b: command(1, 'B'), c: command(2, 'C') });
      const forwarding = forwardEvents(events$, of(true), async (batch) => void sent.push({ at: scheduler.now(), batch }));
      scheduler.schedule(() => void forwarding.flush(), 120);
      flush();
      expect(sent).toEqual([
        { at: 50, batch: { events: [command(0, 'A'), command(1, 'B')] } },
        { at: 120, batch: { events: [command(2, 'C')] } },
      ]);
    });
  });

  it('tallies the commands of a batch sent while nothing watches the events one by one', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, hot, flush }) => {
      const sent: ForwardedBatch[] = [];
      const events$ = cold('a b 68ms c 49ms d', { a: opened(0), b: command(1, 'STAT'), c: command(70, 'LIST'), d: command(120, 'UIDL') });
      // Watched from 60 to 110 ms: the batch sent at 100 goes as it is, those at 50 and 150 (the flush) as tallies.
      const watched$ = hot('f 59ms t 49ms f', { f: false, t: true });
      const forwarding = forwardEvents(events$, watched$, async (batch) => void sent.push(batch));
      scheduler.schedule(() => void forwarding.flush(), 150);
      flush();
      const tally = (at: number, verb: string) => ({ type: 'tally', at, commands: { [verb]: 1 }, latest: [['c', verb, true]], retrieved: 0, latencies: {} });
      expect(sent).toEqual([{ events: [opened(0)], tally: tally(1, 'STAT') }, { events: [command(70, 'LIST')] }, { events: [], tally: tally(120, 'UIDL') }]);
    });
  });
});
