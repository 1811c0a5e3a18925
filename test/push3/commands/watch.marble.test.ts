import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../../src/events/server-events.js';
import { emptyMetrics } from '../../../src/metrics/reducer.js';
import { GREETING } from '../../../src/push3/session.js';
import { loggedIn, opened, retrieved } from '../../support/events.js';
import { push3Harness } from '../../support/push3-harness.js';
import { testScheduler } from '../../support/test-scheduler.js';

const line = (event: ServerEvent): string => `->SUCCESS: event ${JSON.stringify(event)}\r\n`;

describe('Push3 WATCH with a filter', () => {
  it('WATCH n user=alice streams her events as they happen beside the metrics lines; UNWATCH stops both', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const a = loggedIn(10, 'c1', 'alice');
      const r = retrieved(12, 'c1', 'alice');
      const events$ = hot('--o-b 5ms a-r-x 1000ms y', {
        o: opened(2, 'pop3', 'c1'),
        b: loggedIn(4, 'c2', 'bob'),
        a,
        r,
        x: retrieved(14, 'c2', 'bob'),
        y: retrieved(1015, 'c1', 'alice'),
      });
      const metrics = emptyMetrics(0);
      const h = push3Harness(ts, new BehaviorSubject(metrics), ['root'], events$);
      const lines$ = hot('-l-w 1200ms u', { l: 'LOGIN root toor', w: 'WATCH 1 user=alice', u: 'UNWATCH' });
      const m = h.session(lines$);
      expectObservable(m, '^ 3000ms !').toBe('gl-w 6ms a-r 990ms s 11ms y 188ms u', {
        g: GREETING,
        l: '->SUCCESS: Logged in as root\r\n',
        w: '->SUCCESS: Watching every 1 s, with the events of alice\r\n',
        a: line(a),
        r: line(r),
        s: expect.stringMatching(/^->SUCCESS: uptime_seconds=0 /) as unknown as string,
        y: line(retrieved(1015, 'c1', 'alice')),
        u: '->SUCCESS: Stopped watching\r\n',
      });
    });
  });

  it('refuses a filter it does not know', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const h = push3Harness(ts, new BehaviorSubject(emptyMetrics(0)));
      expectObservable(h.session(hot('-l-w', { l: 'LOGIN root toor', w: 'WATCH 1 everything' })), '^ 100ms !').toBe('gl-w', {
        g: GREETING,
        l: '->SUCCESS: Logged in as root\r\n',
        w: '->FAIL: WATCH filter must be events or user=<name>\r\n',
      });
    });
  });
});
