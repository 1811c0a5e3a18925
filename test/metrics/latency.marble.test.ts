import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { formatMetrics } from '../../src/metrics/catalogue.js';
import { recentPercentiles } from '../../src/metrics/latency.js';
import { histogramNamed } from '../../src/metrics/named-histograms.js';
import { createMetrics } from '../../src/metrics/stream.js';
import { latency, opened } from '../support/events.js';
import { testScheduler } from '../support/test-scheduler.js';


describe('latency histograms folded from the event stream', () => {
  it('gives p50/p90/p99 per command over the last minute, and forgets what is older', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      // Nine fast RETRs and one slow one, then a STAT; a minute later only the totals remember them.
      const fast = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(i), latency(10 + i, 'RETR', 0.8)]));
      const events$ = hot('-0123456789 s', { ...fast, 9: latency(19, 'RETR', 4000), s: latency(20, 'STAT', 0.3) });
      const feed = createMetrics(events$, { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 70_000);
      const view$ = feed.metrics$.pipe(
        map((m) => ({
          recent: Object.fromEntries(recentPercentiles(m.latencies).map(([name, p]) => [name, [p.p50, p.p90, p.p99].map((v) => Math.round(v * 1000) / 1000)])),
          retrTotal: histogramNamed(m.latencies.totals, 'retr')?.count ?? 0,
        })),
      );
      const atOne = {
        // 0.8 ms is in (0.5, 1] ms: the median interpolates to 0.5 + 0.5 x 5/9; the slow one is in (2.5, 5] s.
        recent: { retr: [0.778, 1, 4750], stat: [0.25, 0.45, 0.495] },
        retrTotal: 10,
      };
      expectObservable(view$, '5500ms ^ !').toBe('5500ms a', { a: atOne });
      expectObservable(view$, '61500ms ^ !').toBe('61500ms a', { a: { recent: {}, retrTotal: 10 } });
    });
  });

  it('puts the percentiles in the METRICS line, and a POP3 close adds a session duration', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const close = { type: 'connection-closed', protocol: 'pop3', connection: 'c1', ms: 1500, at: 2 } as const;
      const events$ = hot('-ab', { a: opened(1, 'pop3', 'c1'), b: close });
      const feed = createMetrics(events$, { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 10);
      const line$ = feed.metrics$.pipe(map((m) => formatMetrics(m).split(' ').filter((pair) => pair.startsWith('latency_'))));
      expectObservable(line$, '5ms ^ !').toBe('5ms a', {
        a: ['latency_session_p50_ms=1750', 'latency_session_p90_ms=2350', 'latency_session_p99_ms=2485'],
      });
    });
  });
});
