import { BehaviorSubject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../../../src/metrics/reducer.js';
import { GREETING } from '../../../src/push3/session.js';
import { loggedIn, opened } from '../../support/events.js';
import { push3Harness } from '../../support/push3-harness.js';
import { testScheduler } from '../../support/test-scheduler.js';

describe('Push3 SESSIONS and KICK', () => {
  it('SESSIONS lists the live POP3 sessions, KICK names one by user or connection', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const events$ = hot('a-b-c-d', { a: opened(0, 'pop3', 'c1'), b: opened(2, 'pop3', 'c2'), c: loggedIn(4, 'c1', 'alice'), d: loggedIn(6, 'c2', 'bob') });
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
});
