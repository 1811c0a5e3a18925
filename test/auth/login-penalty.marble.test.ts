import { EMPTY } from 'rxjs';
import { describe, it } from 'vitest';
import { afterPenalty } from '../../src/auth/login-penalty.js';
import { loginThrottle } from '../../src/auth/throttle.js';
import { GREETING } from '../../src/push3/session.js';
import { push3Harness } from '../support/push3-harness.js';
import { testScheduler } from '../support/test-scheduler.js';


describe('login penalty in virtual time', () => {
  it('holds each failure back by the address penalty on the scheduler; a success clears it', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const throttle = loginThrottle({ baseDelayMs: 100, maxDelayMs: 1000, now: () => ts.now() });
      const address = '203.0.113.7';
      expectObservable(afterPenalty(throttle, address, ts, 'first')).toBe('100ms (a|)', { a: 'first' });
      expectObservable(afterPenalty(throttle, address, ts, 'second')).toBe('200ms (a|)', { a: 'second' });
      throttle.succeeded(address);
      expectObservable(afterPenalty(throttle, address, ts, 'again')).toBe('100ms (a|)', { a: 'again' });
      // Another address starts from the base: penalties are per address.
      expectObservable(afterPenalty(throttle, '198.51.100.1', ts, 'other')).toBe('100ms (a|)', { a: 'other' });
    });
  });

  it('answers no penalty at once', () => {
    const ts = testScheduler();
    ts.run(({ expectObservable }) => {
      const throttle = loginThrottle({ baseDelayMs: 0, maxDelayMs: 0, now: () => ts.now() });
      expectObservable(afterPenalty(throttle, '203.0.113.7', ts, 'x')).toBe('(a|)', { a: 'x' });
    });
  });

  /**
   * A Push3 session (admins: root, with alice a POP3 user only) under a 1 s penalty that doubles per failure,
   * fed four lines at the frames of `marbles`, its replies expected at those of `expected`.
   */
  const penalised = (marbles: string, lines: readonly [string, string, string, string], expected: string, replies: Record<string, string>): void => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const throttle = loginThrottle({ baseDelayMs: 1000, maxDelayMs: 60_000, now: () => ts.now() });
      const h = push3Harness(ts, EMPTY, ['root'], EMPTY, throttle);
      const [a, b, c, d] = lines;
      expectObservable(h.session(hot(marbles, { a, b, c, d }))).toBe(expected, { g: GREETING, d: '->SUCCESS: Bye\r\n', ...replies });
    });
  };
  const failed = '->FAIL: Authentication failed\r\n';

  it('a failed Push3 LOGIN answers after its penalty, a good one at once and clears it', () => {
    // 1 s for the first failure, 2 s for the second (sent at 2001 ms, answered at 4001 ms); the success waits for nothing.
    penalised('-a 1999ms b 2999ms c 999ms d', ['LOGIN root wrong', 'LOGIN root wrong', 'LOGIN root toor', 'FINISH'], 'g 1000ms x 2999ms y 999ms l 999ms (d|)', {
      x: failed,
      y: failed,
      l: '->SUCCESS: Logged in as root\r\n',
    });
  });

  it('answers a non-admin with the right password as a wrong password: after the penalty, which it does not clear', () => {
    // alice's POP3 password is right, but she is no admin: 1 s, then 2 s for it (a second failure), then 4 s.
    penalised('-a 1999ms b 2999ms c 4999ms d', ['LOGIN alice wrong', 'LOGIN alice secret', 'LOGIN alice wrong', 'FINISH'], 'g 1000ms x 2999ms y 4999ms z 999ms (d|)', {
      x: failed,
      y: failed,
      z: failed,
    });
  });
});
