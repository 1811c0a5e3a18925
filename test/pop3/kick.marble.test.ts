import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { SessionControls } from '../../src/pop3/kick.js';
import { harness, GREETING } from '../support/pop3-harness.js';

const MAIL = { alice: ['Subject: one\n\nfirst\n', 'Subject: two\n\nsecond\n'] };
const login = { u: 'USER alice', p: 'PASS secret' };
const KICKED = '-ERR [SYS/TEMP] Closed by the administrator\r\n';

describe('KICK and latencies in a POP3 session', () => {
  it(
    'a kick ends the session with -ERR [SYS/TEMP], deletes nothing and releases the lock',
    marbles((m) => {
      const controls = new SessionControls();
      const h = harness(m.scheduler, MAIL, undefined, undefined, { controls });
      const lines = m.hot('-u-p-d 96ms q|', { ...login, d: 'DELE 1', q: 'QUIT' });
      m.scheduler.schedule(() => {
        expect(controls.kick('nobody')).toBe(0);
        expect(controls.kick('alice')).toBe(1);
      }, 50);
      m.expect(h.session(lines)).toBeObservable('ga-b-c 44ms (k|)', {
        g: GREETING,
        a: '+OK\r\n',
        b: '+OK Logged in: 2 messages (47 octets)\r\n',
        c: '+OK Message 1 deleted\r\n',
        k: KICKED,
      });
      m.scheduler.schedule(() => {
        expect(h.maildrops.locked.has('alice')).toBe(false);
        expect(h.maildrops.boxes.get('alice')).toHaveLength(2);
        expect(h.events.filter((event) => event.type === 'kicked')).toEqual([{ type: 'kicked', connection: 'c1', user: 'alice', at: 50 }]);
        // Gone from the controls: a second kick finds nothing.
        expect(controls.kick('c1')).toBe(0);
      }, 60);
    }),
  );

  it(
    'a kick by connection id reaches a session before login too',
    marbles((m) => {
      const controls = new SessionControls();
      const h = harness(m.scheduler, MAIL, undefined, undefined, { controls });
      m.scheduler.schedule(() => expect(controls.kick('c1')).toBe(1), 5);
      m.expect(h.session(m.hot('-u 10ms p', login))).toBeObservable('ga 3ms (k|)', { g: GREETING, a: '+OK\r\n', k: KICKED });
    }),
  );

  it(
    'reports a latency for each command once its reply is sent, and for the password check, the maildrop open and UPDATE',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL);
      m.expect(h.session(m.cold('-u-p-s-q|', { ...login, s: 'STAT', q: 'QUIT' }))).toBeObservable('ga-b-c-(d|)', {
        g: GREETING,
        a: '+OK\r\n',
        b: '+OK Logged in: 2 messages (47 octets)\r\n',
        c: '+OK 2 47\r\n',
        d: '+OK Bye: 0 messages deleted\r\n',
      });
      m.scheduler.schedule(() => {
        const timed = h.events.flatMap((event) => (event.type === 'latency' ? [[event.operation, event.verb ?? '', event.ms, event.at]] : []));
        expect(timed).toEqual([
          ['command', 'USER', 0, 1],
          ['login-verification', '', 0, 3],
          ['maildrop-open', '', 0, 3],
          ['command', 'PASS', 0, 3],
          ['command', 'STAT', 0, 5],
          ['update', '', 0, 7],
          ['command', 'QUIT', 0, 7],
        ]);
      }, 20);
    }),
  );
});
