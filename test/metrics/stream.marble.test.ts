import { map, merge, withLatestFrom } from 'rxjs';
import { describe, it } from 'vitest';
import { ratesOf } from '../../src/metrics/rate-window.js';
import { createMetrics } from '../../src/metrics/stream.js';
import { bytes, opened } from '../support/events.js';
import { testScheduler } from '../support/test-scheduler.js';


describe('metrics$', () => {
  it('folds once however many watch: one subscription to the events, the latest value replayed to each', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const events$ = hot('-a 99ms b 99ms c', { a: opened(1), b: opened(101), c: opened(201) });
      const feed = createMetrics(events$, { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 5000);
      const totals$ = feed.metrics$.pipe(map((m) => m.connections.pop3.total));

      expectObservable(totals$, '^ 300ms !').toBe('ab 99ms c 99ms d', { a: 0, b: 1, c: 2, d: 3 });
      // Joins later: gets the latest value at once, then the next event and the next clock tick.
      expectObservable(totals$, '150ms ^ 1000ms !').toBe('150ms a 50ms b 798ms c', { a: 2, b: 3, c: 3 });
      expectObservable(totals$, '3500ms ^ !').toBe('3500ms a', { a: 3 });
      // Watchers came and went; the fold's single subscription only ends when the daemon disconnects it.
      expectSubscriptions(events$.subscriptions).toBe('^ 4999ms !');
    });
  });

  it('advances uptime with the clock, without events', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const feed = createMetrics(hot<never>('-'), { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 3500);
      const uptime$ = feed.metrics$.pipe(map((m) => Math.floor((m.now - m.startedAt) / 1000)));
      expectObservable(uptime$).toBe('a 999ms b 999ms c 999ms d', { a: 0, b: 1, c: 2, d: 3 });
    });
  });

  it('computes rates over the last minute from a marble of events', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      // A connection with 600 octets every 10 s, from 0 s to 50 s.
      const every10s = 'a 9999ms b 9999ms c 9999ms d 9999ms e 9999ms f';
      const at = { a: 0, b: 10_000, c: 20_000, d: 30_000, e: 40_000, f: 50_000 };
      const pick = <T>(make: (t: number) => T) =>
        Object.fromEntries(Object.entries(at).map(([key, t]) => [key, make(t)])) as Record<keyof typeof at, T>;
      const events$ = merge(hot(every10s, pick((t) => opened(t))), hot(every10s, pick((t) => bytes(t, 600))));
      const feed = createMetrics(events$, { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 121_000);

      const sampler$ = cold('30500ms a 29999ms b 44999ms c 14999ms d|');
      const rates$ = sampler$.pipe(
        withLatestFrom(feed.metrics$),
        map(([, m]) => ratesOf(m.window)),
      );
      expectObservable(rates$).toBe('30500ms a 29999ms b 44999ms c 14999ms d|', {
        a: { connectionsPerSecond: 4 / 60, bytesPerSecond: 2400 / 60 }, // 0, 10, 20, 30 s
        b: { connectionsPerSecond: 5 / 60, bytesPerSecond: 3000 / 60 }, // 0 s has left the window
        c: { connectionsPerSecond: 1 / 60, bytesPerSecond: 600 / 60 }, // only 50 s is left
        d: { connectionsPerSecond: 0, bytesPerSecond: 0 },
      });
    });
  });
});
