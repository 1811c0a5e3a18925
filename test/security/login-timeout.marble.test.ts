import { map } from 'rxjs';
import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { GREETING, harness } from '../support/pop3-harness.js';

const MAIL = { alice: ['Subject: one\n\nfirst\n'] };
const TIMEOUT = '-ERR Disconnected for inactivity\r\n';
const LOGGED_IN = '+OK Logged in: 1 messages (23 octets)\r\n';
/** 10 minutes of autologout, 1 minute to log in. */
const timeouts = { loginTimeoutMs: () => 60_000, idleTimeoutMs: () => 600_000 };

describe('pre-login timeout', () => {
  it(
    'drops a connection silent for the login timeout before login; each command restarts it',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, timeouts);
      const lines = m.cold('-c 59998ms u', { c: 'CAPA', u: 'USER alice' });
      m.expect(h.session(lines).pipe(map((out) => out.slice(0, 4)))).toBeObservable('gc 59998ms o 59999ms (t|)', {
        g: '+OK ',
        c: '+OK ',
        o: '+OK\r',
        t: '-ERR',
      });
      m.flush();
      expect(h.events.filter((event) => event.type === 'timeout')).toHaveLength(1);
    }),
  );

  it(
    'switches to the (longer) autologout once logged in',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, timeouts);
      const lines = m.cold('-u-p', { u: 'USER alice', p: 'PASS secret' });
      m.expect(h.session(lines)).toBeObservable('go-l 599999ms (t|)', { g: GREETING, o: '+OK\r\n', l: LOGGED_IN, t: TIMEOUT });
      m.flush();
      expect(h.maildrops.locked.size).toBe(0);
    }),
  );
});
