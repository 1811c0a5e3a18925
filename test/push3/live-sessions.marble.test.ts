import { BehaviorSubject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/events/server-events.js';
import { emptyMetrics } from '../../src/metrics/reducer.js';
import { GREETING } from '../../src/push3/session.js';
import { opened } from '../support/events.js';
import { push3Harness } from '../support/push3-harness.js';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const auth = (at: number, connection: string, user: string): ServerEvent => ({ type: 'auth', protocol: 'pop3', connection, user, ok: true, at });
const retr = (at: number, connection: string, user: string): ServerEvent => ({ type: 'command', protocol: 'pop3', connection, verb: 'RETR', ok: true, user, at });
const line = (event: ServerEvent): string => `->SUCCESS: event ${JSON.stringify(event)}\r\n`;

describe('Push3 SESSIONS, KICK and WATCH with a filter', () => {
  it('SESSIONS lists the live POP3 sessions, KICK names one by user or connection', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const events$ = hot('a-b-c-d', { a: opened(0, 'pop3', 'c1'), b: opened(2, 'pop3', 'c2'), c: auth(4, 'c1', 'alice'), d: auth(6, 'c2', 'bob') });
      const h = push3Harness(ts, new BehaviorSubject(emptyMetrics(0)), ['root'], events$);
      const lines$ = hot('-------l-s-S-k-K-n', { l: 'LOGIN root toor', s: 'SESSIONS', S: 'SESSIONS bob', k: 'KICK alice', K: 'KICK c2', n: 'KICK carol' });
      const session = (connection: string, user: string, since: number) =>
        `->SUCCESS: session connection=${connection} user=${user} remote=127.0.0.1:1 protocol=pop3 state=transaction ` +
        `since=${new Date(since).toISOString()} bytes_out=0 command=-\r\n`;
      expectObservable(h.session(lines$), '^ 100ms !').toBe('g------l-s-S-k-K-n', {
        g: GREETING,
        l: '->SUCCESS: Logged in as root\r\n',
        s: session('c1', 'alice', 0) + session('c2', 'bob', 2) + '->SUCCESS: 2 sessions\r\n',
        S: session('c2', 'bob', 2) + '->SUCCESS: 1 session\r\n',
        k: '->SUCCESS: Closed 1 session\r\n',
        K: '->SUCCESS: Closed 1 session\r\n',
        n: '->FAIL: No session of carol\r\n',
      });
      ts.flush();
      expect(h.kicked).toEqual(['alice', 'c2']);
      const audit = h.events.flatMap((event) => (event.type === 'admin-command' ? [`${event.user} ${event.verb} ${event.target}`] : []));
      expect(audit).toEqual(['root SESSIONS *', 'root SESSIONS bob', 'root KICK alice', 'root KICK c2']);
    });
  });

  it('WATCH n user=alice streams her events as they happen beside the metrics lines; UNWATCH stops both', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const a = auth(10, 'c1', 'alice');
      const r = retr(12, 'c1', 'alice');
      const events$ = hot('--o-b 5ms a-r-x 1000ms y', {
        o: opened(2, 'pop3', 'c1'),
        b: auth(4, 'c2', 'bob'),
        a,
        r,
        x: retr(14, 'c2', 'bob'),
        y: retr(1015, 'c1', 'alice'),
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
        y: line(retr(1015, 'c1', 'alice')),
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
