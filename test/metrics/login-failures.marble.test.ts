import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { formatMetrics } from '../../src/metrics/catalogue.js';
import type { ServerEvent } from '../../src/events/server-events.js';
import { LoginFailureWindow } from '../../src/metrics/login-failures.js';
import { createMetrics } from '../../src/metrics/stream.js';
import { loginFailed } from '../support/events.js';
import { testScheduler } from '../support/test-scheduler.js';


const figures = (window: LoginFailureWindow): string => `${window.worstAddress}/${window.addresses}`;

describe('failed logins per address', () => {
  it('folds failures from two addresses over a sliding minute, in virtual time', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      // f, g, i, k: failed logins from 192.0.2.7 (over two connections); h: one from a Push3 client at
      // 198.51.100.9. Each event's time is its frame (whitespace does not count).
      const events$ = hot<ServerEvent>('--- 1s f g h 10s i 30s - 29s k', {
        f: loginFailed(1_003, '192.0.2.7', 'pop3', 'x1'),
        g: loginFailed(1_004, '192.0.2.7', 'pop3', 'x2'),
        h: loginFailed(1_005, '198.51.100.9', 'push3', 'y1'),
        i: loginFailed(11_006, '192.0.2.7', 'pop3', 'x1'),
        k: loginFailed(70_008, '192.0.2.7', 'pop3', 'x2'),
      });
      const feed = createMetrics(events$, { scheduler: ts, tickMs: 1000 });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 75_000);
      const seen$ = feed.metrics$.pipe(map((m) => `${m.loginFailures.worstAddress}/${m.loginFailures.addresses}`));
      // "worst/addresses", sampled between events and clock ticks.
      const sample = (ms: number, value: string): void => expectObservable(seen$, `${ms}ms ^ !`).toBe(`${ms}ms a`, { a: value });
      sample(500, '0/0');
      sample(1_500, '2/2'); // two from 192.0.2.7 (over two connections), one from the Push3 client
      sample(11_500, '3/2');
      sample(61_500, '3/2'); // a minute after the first failures: they go with the next clock tick
      sample(62_500, '1/1'); // only the failure at 11 s is left
      sample(70_500, '2/1');
      sample(72_500, '1/1');
    });
  });

  it('publishes both figures in METRICS', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const events$ = hot<ServerEvent>('b', { b: loginFailed(0, '203.0.113.5') });
      const feed = createMetrics(events$, { scheduler: ts });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 10);
      const line$ = feed.metrics$.pipe(map((m) => / login_failures_worst_address=\d+ login_failure_addresses=\d+/.exec(formatMetrics(m))?.[0]));
      expectObservable(line$, '5ms ^ !').toBe('5ms a', { a: ' login_failures_worst_address=1 login_failure_addresses=1' });
    });
  });

  it('keeps at most maxAddresses, dropping the least recently failed first', () => {
    const window = new LoginFailureWindow({ maxAddresses: 3 });
    const [c0, c1, c2, c3] = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
    window.apply(loginFailed(1, c0));
    window.apply(loginFailed(2, c0));
    window.apply(loginFailed(3, c1));
    window.apply(loginFailed(4, c2));
    expect(figures(window)).toBe('2/3');
    window.apply(loginFailed(5, c0)); // 10.0.0.1 is now the most recent; 10.0.0.2 the least
    window.apply(loginFailed(6, c3)); // a fourth address: 10.0.0.2 is dropped
    expect(figures(window)).toBe('3/3');
    window.apply(loginFailed(7, c1)); // 10.0.0.2 back, counted afresh: 10.0.0.3 goes
    expect(figures(window)).toBe('3/3');
    window.apply(loginFailed(8, c2)); // 10.0.0.3 back: now 10.0.0.1, with the most, is the least recent
    expect(figures(window)).toBe('1/3');
    window.apply(loginFailed(9, c2));
    expect(figures(window)).toBe('2/3');
    // Failures of dropped addresses leave the window without touching the counts of those tracked now.
    window.apply({ type: 'tick', at: 60_006 });
    expect(figures(window)).toBe('2/2'); // 10.0.0.4's only failure (6) went; 10.0.0.2 has 7, 10.0.0.3 has 8 and 9
    window.apply({ type: 'tick', at: 60_008 });
    expect(figures(window)).toBe('1/1');
    window.apply({ type: 'tick', at: 60_009 });
    expect(figures(window)).toBe('0/0');
  });

  it('keeps at most maxFailures in the window, dropping the oldest first', () => {
    const window = new LoginFailureWindow({ maxFailures: 4 });
    for (let at = 1; at <= 3; at += 1) window.apply(loginFailed(at, '10.0.0.1'));
    for (let at = 4; at <= 6; at += 1) window.apply(loginFailed(at, '10.0.0.2'));
    expect(figures(window)).toBe('3/2'); // b has 3, a 1: the oldest two (a's at 1 and 2) were dropped
  });

  it('ignores failures without an address, and successes', () => {
    const window = new LoginFailureWindow();
    window.apply(loginFailed(1, undefined));
    window.apply({ type: 'auth', protocol: 'pop3', connection: 'x', user: 'alice', ok: true, at: 3 });
    expect(figures(window)).toBe('0/0');
  });
});
