import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { dashboardEvents } from '../../src/dashboard/snapshot.js';
import { createMetrics } from '../../src/metrics/stream.js';
import { latency, opened } from '../support/events.js';
import { testScheduler } from '../support/test-scheduler.js';


/** An SSE message back into its event name and data, failing on anything malformed. */
function parseMessage(message: string): { event: string; data: Record<string, unknown> } {
  const match = /^event: (\w+)\ndata: (.*)\n\n$/.exec(message);
  if (match === null) throw new Error(`not one SSE message: ${JSON.stringify(message)}`);
  return { event: match[1]!, data: JSON.parse(match[2]!) as Record<string, unknown> };
}

describe('dashboard Server-Sent Events', () => {
  it('sends a snapshot at once, then one a second, sampled from the shared metrics stream with the live sessions', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const login = { type: 'auth', protocol: 'pop3', connection: 'c1', user: 'alice', ok: true, at: 1600 } as const;
      const events$ = hot('1500ms a 99ms b 99ms r', { a: opened(1500, 'pop3', 'c1'), b: login, r: latency(1700, 'RETR', 2, 'c1') });
      const feed = createMetrics(events$, { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 5000);
      const frames$ = dashboardEvents(feed.metrics$, () => feed.sessions.list(), ts, 1000).pipe(map(parseMessage));

      const idle = { at: 0, connections: 0, loginsOk: 0, loginsFailed: 0, bytesSent: 0, bytesReceived: 0, p99: {}, sessions: [], sessionCount: 0 };
      const alice = { connection: 'c1', protocol: 'pop3', remote: '127.0.0.1:1', state: 'transaction', since: 1500, bytesOut: 0, user: 'alice' };
      expectObservable(frames$, '^ 2500ms !').toBe('a 999ms b 999ms c', {
        a: { event: 'snapshot', data: idle },
        b: { event: 'snapshot', data: { ...idle, at: 1000 } },
        // 2 ms falls in the (1, 2.5] ms bucket: its p99 interpolates to 1 + 1.5 x 0.99.
        c: { event: 'snapshot', data: { ...idle, at: 2000, connections: 1, loginsOk: 1, p99: { retr: 2.485 }, sessions: [alice], sessionCount: 1 } },
      });
      // A viewer leaving does not touch the fold's one subscription.
      expectSubscriptions(events$.subscriptions).toBe('^ 4999ms !');
    });
  });
});
