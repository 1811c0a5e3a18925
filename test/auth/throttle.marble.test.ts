import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { loginThrottle } from '../../src/auth/throttle.js';
import { GREETING, harness } from '../support/pop3-harness.js';

const MAIL = { alice: ['Subject: one\n\nfirst\n'] };
const FAILED = '-ERR [AUTH] Authentication failed.\r\n';
const CLOSING = '-ERR [AUTH] Authentication failed; too many failures, closing the connection\r\n';
const LOGGED_IN = '+OK Logged in: 1 message (23 octets)\r\n';
const BAD_APOP = `APOP alice ${'0'.repeat(32)}`;

/** Production-like settings on the test scheduler: 1 s doubling to 4 s, three failures per connection. */
function setup(scheduler: Parameters<typeof harness>[0]) {
  const throttle = loginThrottle({ baseDelayMs: 1000, maxDelayMs: 4000, now: () => scheduler.now() });
  const from = (address: string) =>
    harness(scheduler, MAIL, undefined, undefined, { throttle, maxFailuresPerConnection: 3 }, { address, remote: `${address}:1` });
  return { throttle, from };
}

describe('brute-force throttling in virtual time', () => {
  it(
    'holds each failure reply longer (1 s, 2 s, ...), keeps pipelined commands waiting, and closes after the third',
    marbles((m) => {
      const h = setup(m.scheduler).from('203.0.113.7');
      const lines = m.cold('-u-p-u-p-u-p-u', { u: 'USER alice', p: 'PASS wrong' });
      m.expect(h.session(lines)).toBeObservable('go 1001ms (fo) 1996ms (fo) 3996ms (x|)', {
        g: GREETING,
        o: '+OK\r\n',
        f: FAILED,
        x: CLOSING,
      });
    }),
  );

  it(
    'charges unknown users exactly what wrong passwords cost',
    marbles((m) => {
      const unknown = setup(m.scheduler).from('203.0.113.7');
      const wrong = setup(m.scheduler).from('203.0.113.7');
      const expected = 'go- 1000ms (f|)';
      const values = { g: GREETING, o: '+OK\r\n', f: FAILED };
      m.expect(unknown.session(m.cold('-u-p|', { u: 'USER nobody', p: 'PASS wrong' }))).toBeObservable(expected, values);
      m.expect(wrong.session(m.cold('-u-p|', { u: 'USER alice', p: 'PASS wrong' }))).toBeObservable(expected, values);
    }),
  );

  it(
    'delays only the failing address: another client logs in at once, meanwhile the same address pays more',
    marbles((m) => {
      const { from } = setup(m.scheduler);
      const attacker = from('203.0.113.7');
      const bystander = from('198.51.100.2');
      const attackerAgain = from('203.0.113.7');
      m.expect(attacker.session(m.cold('-a|', { a: BAD_APOP }))).toBeObservable('g 1000ms (f|)', {
        g: GREETING,
        f: FAILED,
      });
      m.expect(bystander.session(m.cold('--u-p|', { u: 'USER alice', p: 'PASS secret' }))).toBeObservable('g-o-l|', {
        g: GREETING,
        o: '+OK\r\n',
        l: LOGGED_IN,
      });
      m.expect(attackerAgain.session(m.cold('---a|', { a: BAD_APOP }))).toBeObservable('g 2002ms (f|)', {
        g: GREETING,
        f: FAILED,
      });
    }),
  );

  it(
    'forgets the penalty once a login from the address succeeds',
    marbles((m) => {
      const { from } = setup(m.scheduler);
      const first = from('203.0.113.7');
      m.expect(first.session(m.cold('-u-p-u-P|', { u: 'USER alice', p: 'PASS wrong', P: 'PASS secret' }))).toBeObservable(
        'go 1001ms (fol|)',
        { g: GREETING, o: '+OK\r\n', f: FAILED, l: LOGGED_IN },
      );
      // Later, a new failure from the same address starts from the base delay again.
      const later = from('203.0.113.7');
      m.expect(later.session(m.cold('5000ms -a|', { a: BAD_APOP }))).toBeObservable(
        'g 5000ms 1000ms (f|)',
        { g: GREETING, f: FAILED },
      );
    }),
  );

  it(
    'answers at once with failureDelay 0 (test rigs), still closing after the allowed failures',
    marbles((m) => {
      const throttle = loginThrottle({ baseDelayMs: 0, maxDelayMs: 30_000, now: () => m.scheduler.now() });
      const h = harness(m.scheduler, MAIL, undefined, undefined, { throttle, maxFailuresPerConnection: 2 });
      m.expect(h.session(m.cold('-u-p-u-p-u', { u: 'USER alice', p: 'PASS wrong' }))).toBeObservable('go-f-o-(x|)', {
        g: GREETING,
        o: '+OK\r\n',
        f: FAILED,
        x: CLOSING,
      });
      m.flush();
      expect(h.events.filter((event) => event.type === 'auth' && !event.ok)).toHaveLength(2);
    }),
  );
});
