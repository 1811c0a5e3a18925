import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { BATCH_MS, forwardEvents } from '../../src/cluster/event-forwarding.js';
import type { ServerEvent } from '../../src/events/server-events.js';
import { command } from '../support/events.js';

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
