import { of } from 'rxjs';
import { describe, it } from 'vitest';
import { SilenceClock } from '../../src/session/silence.js';

/** A policy of a fixed (or read-each-time) allowance, with 'z' as the farewell. */
const policy = (allowanceMs: () => number) => ({ allowanceMs, onSilence: () => of('z') });
import { testScheduler } from '../support/test-scheduler.js';

describe('SilenceClock', () => {
  it('ends the stream with the farewell after the allowance with neither values nor touches', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source$ = hot('a 9ms b');
      const clock = new SilenceClock(ts, policy(() => 100));
      // The last value at 10 ms: silence from then on, so the farewell comes at 110 ms and the source is dropped.
      expectObservable(source$.pipe(clock.endAfterSilence())).toBe('a 9ms b 99ms (z|)');
      expectSubscriptions(source$.subscriptions).toBe('^ 109ms !');
    });
  });

  it('counts a touch (a line received) as activity, like a value sent', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const clock = new SilenceClock(ts, policy(() => 100));
      ts.schedule(() => clock.touch(), 50);
      ts.schedule(() => clock.touch(), 120);
      expectObservable(cold('-').pipe(clock.endAfterSilence())).toBe('220ms (z|)');
    });
  });

  it('reads the allowance at each check: a longer one postpones, a shorter one takes effect at the next touch', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      let allowance = 100;
      const clock = new SilenceClock(ts, policy(() => allowance));
      ts.schedule(() => (allowance = 300), 10); // e.g. logged in: the idle timeout replaces the login timeout
      ts.schedule(() => {
        allowance = 20; // a live setting lowered
        clock.touch();
      }, 200);
      expectObservable(cold('-').pipe(clock.endAfterSilence())).toBe('220ms (z|)');
    });
  });

  it('does nothing more once the stream completes or is unsubscribed', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const clock = new SilenceClock(ts, policy(() => 100));
      expectObservable(cold('a 10ms |').pipe(clock.endAfterSilence())).toBe('a 10ms |');
      expectObservable(cold('-').pipe(new SilenceClock(ts, policy(() => 100)).endAfterSilence()), '^ 50ms !').toBe('-');
    });
  });
});
