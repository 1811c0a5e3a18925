import { startWith } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { formatMetrics } from '../../src/metrics/catalogue.js';
import { applyEvent, emptyMetrics } from '../../src/metrics/reducer.js';
import { createMetrics } from '../../src/metrics/stream.js';
import { GREETING } from '../../src/push3/session.js';
import { opened } from '../support/events.js';
import { push3Harness } from '../support/push3-harness.js';
import { testScheduler } from '../support/test-scheduler.js';


const LOGIN = 'LOGIN root toor';
const replies = {
  g: GREETING,
  l: '->SUCCESS: Logged in as root\r\n',
  b: '->SUCCESS: Bye\r\n',
  u: '->SUCCESS: Stopped watching\r\n',
};

describe('Push3 sessions on the shared metrics stream', () => {
  it('two sessions joining at different times see the same latest metrics', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const events$ = hot('-a 99ms b 199ms c', { a: opened(1), b: opened(101), c: opened(301) });
      const feed = createMetrics(events$, { scheduler: ts });
      const connection = feed.connect();
      ts.schedule(() => connection.unsubscribe(), 3000);
      const h = push3Harness(ts, feed.metrics$);
      const line = { l: LOGIN, m: 'METRICS', f: 'FINISH' };

      const expected = [opened(1), opened(101), opened(301)].reduce(applyEvent, emptyMetrics(0));
      const m = `->SUCCESS: ${formatMetrics(expected)}\r\n`;
      expect(m).toContain(' pop3_connections_current=3 pop3_connections_total=3 ');

      const a$ = h.session(hot('-l 398ms m 99ms f', line), 'A');
      const b$ = h.session(hot('260ms l 139ms m 99ms f', line), 'B');
      expectObservable(a$).toBe('gl 398ms m 99ms (b|)', { ...replies, m });
      expectObservable(b$, '250ms ^').toBe('250ms g 9ms l 139ms m 99ms (b|)', { ...replies, m });
      expectSubscriptions(events$.subscriptions).toBe('^ 2999ms !');
    });
  });

  it('WATCH 2 emits every 2 virtual seconds, lets other commands answer in between, and stops on UNWATCH', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const metrics$ = cold('m', { m: emptyMetrics(0) });
      const x = `->SUCCESS: ${formatMetrics(emptyMetrics(0))}\r\n`;
      const h = push3Harness(ts, metrics$);
      const lines$ = hot('-l-w 2996ms m 4002ms u 2999ms f', { l: LOGIN, w: 'WATCH 2', m: 'METRICS', u: 'UNWATCH', f: 'FINISH' });
      expectObservable(h.session(lines$)).toBe('gl-w 1999ms x 996ms m 1002ms x 1999ms x 999ms u 2999ms (b|)', {
        ...replies,
        w: '->SUCCESS: Watching every 2 s\r\n',
        x,
        m: x,
      });
      // WATCH holds one subscription from WATCH to UNWATCH; METRICS takes one value and leaves.
      expectSubscriptions(metrics$.subscriptions).toBe(['3ms ^ 6999ms !', '3000ms (^!)']);
    });
  });

  it('FINISH stops WATCH and ends the session', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const metrics$ = cold('m', { m: emptyMetrics(0) });
      const x = `->SUCCESS: ${formatMetrics(emptyMetrics(0))}\r\n`;
      const h = push3Harness(ts, metrics$);
      const lines$ = hot('-l-w 4999ms f', { l: LOGIN, w: 'WATCH 2', f: 'FINISH' });
      expectObservable(h.session(lines$)).toBe('gl-w 1999ms x 1999ms x 999ms (b|)', {
        ...replies,
        w: '->SUCCESS: Watching every 2 s\r\n',
        x,
      });
      expectSubscriptions(metrics$.subscriptions).toBe('3ms ^ 4999ms !');
    });
  });

  it('ends a session silent for the idle timeout with ->FAIL; a watching session is not silent', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const metrics$ = cold('m', { m: emptyMetrics(0) });
      const x = `->SUCCESS: ${formatMetrics(emptyMetrics(0))}\r\n`;
      const h = push3Harness(ts, metrics$);
      expect(h.settings.set('idle_timeout', '5')).toEqual({ ok: true, value: '5' });
      // The second line at 3 s is a command too (a wrong one): any line restarts the clock.
      const idle$ = hot('-l 2999ms l', { l: LOGIN });
      expectObservable(h.session(idle$, 'idle')).toBe('gl 2999ms e 4999ms (z|)', {
        ...replies,
        e: '->FAIL: LOGIN is not valid in this state\r\n',
        z: '->FAIL: disconnected for inactivity\r\n',
      });
      const watching$ = hot('-l-w 11996ms f', { l: LOGIN, w: 'WATCH 2', f: 'FINISH' });
      expectObservable(h.session(watching$, 'watching')).toBe('gl-w 1999ms x 1999ms x 1999ms x 1999ms x 1999ms x 1996ms (b|)', {
        ...replies,
        w: '->SUCCESS: Watching every 2 s\r\n',
        x,
      });
    });
  });

  it('WATCH defaults to 1 s, and a new WATCH replaces the interval', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const metrics$ = cold('m', { m: emptyMetrics(0) });
      const x = `->SUCCESS: ${formatMetrics(emptyMetrics(0))}\r\n`;
      const h = push3Harness(ts, metrics$);
      const lines$ = hot('-lw 1499ms v 3999ms f', { l: LOGIN, w: 'WATCH', v: 'WATCH 3', f: 'FINISH' });
      expectObservable(h.session(lines$)).toBe('glw 999ms x 499ms v 2999ms x 999ms (b|)', {
        ...replies,
        w: '->SUCCESS: Watching every 1 s\r\n',
        v: '->SUCCESS: Watching every 3 s\r\n',
        x,
      });
    });
  });

  it('skips WATCH samples while the client is not reading', () => {
    const ts = testScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const metrics$ = cold('m', { m: emptyMetrics(0) });
      const x = `->SUCCESS: ${formatMetrics(emptyMetrics(0))}\r\n`;
      const h = push3Harness(ts, metrics$);
      const lines$ = hot('-l-w 6499ms f', { l: LOGIN, w: 'WATCH 1', f: 'FINISH' });
      // Like the socket's BehaviorSubject: full from 1.5 s to 3.5 s, so the samples at 2 s and 3 s are skipped.
      const paused$ = hot('1500ms q 1999ms p', { p: false, q: true }).pipe(startWith(false));
      expectObservable(h.session(lines$, 'c1', paused$)).toBe('gl-w 999ms x 2999ms x 999ms x 999ms x 499ms (b|)', {
        ...replies,
        w: '->SUCCESS: Watching every 1 s\r\n',
        x,
      });
    });
  });

  it('leaves no subscription to the metrics source once every session has ended, however it ended', () => {
    const ts = testScheduler();
    const live: number[] = [];
    let total = 0;
    ts.run(({ hot, cold, expectObservable }) => {
      const metrics$ = cold('m', { m: emptyMetrics(0) });
      const h = push3Harness(ts, metrics$);
      const line = { l: LOGIN, w: 'WATCH 1', m: 'METRICS', f: 'FINISH' };
      // A: FINISH while watching. B: the client goes away while watching. C: the socket is closed under it.
      h.session(hot('-l-w 2496ms f', line), 'A').subscribe();
      h.session(hot('1001ms l-w-m 3995ms |', line), 'B').subscribe();
      expectObservable(h.session(hot('-l-w', line), 'C'), '^ 1500ms !').toBe('gl-w 999ms x', {
        ...replies,
        w: '->SUCCESS: Watching every 1 s\r\n',
        x: `->SUCCESS: ${formatMetrics(emptyMetrics(0))}\r\n`,
      });
      const count = (): void => {
        live.push(metrics$.subscriptions.filter((s) => s.unsubscribedFrame === Number.POSITIVE_INFINITY).length);
        total = metrics$.subscriptions.length;
      };
      for (const frame of [1200, 2000, 3000, 6000]) ts.schedule(count, frame);
    });
    // At 1.2 s all three watch; C is closed at 1.5 s, A finishes at 2.5 s, B's client leaves at 5 s.
    expect(live).toEqual([3, 2, 1, 0]);
    expect(total).toBe(4); // three WATCHes and one METRICS
  });
});
