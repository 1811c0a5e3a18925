import { map } from 'rxjs';
import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { harness, GREETING } from '../support/pop3-harness.js';

const MAIL = {
  alice: ['Subject: one\n\nfirst\n', 'Subject: two\r\n\r\nsecond\r\n.hidden dot\r\n', 'Subject: three\n\nthird'],
};
const login = { u: 'USER alice', p: 'PASS secret' };
const LOGGED_IN = '+OK Logged in: 3 messages (85 octets)\r\n';

describe('POP3 session in virtual time', () => {
  it(
    'greets, authenticates and answers STAT in order',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL);
      const lines = m.cold('-u-p-s-q|', { ...login, s: 'STAT', q: 'QUIT' });
      m.expect(h.session(lines)).toBeObservable('ga-b-c-(d|)', {
        g: GREETING,
        a: '+OK\r\n',
        b: LOGGED_IN,
        c: '+OK 3 85\r\n',
        d: '+OK Bye: 0 messages deleted\r\n',
      });
    }),
  );

  it(
    'answers a whole pipelined session, written at once, in command order',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL);
      const lines = m.cold('(upalrdLq|)', {
        ...login,
        a: 'STAT',
        l: 'LIST',
        L: 'LIST',
        r: 'RETR 1',
        d: 'DELE 2',
        q: 'QUIT',
      });
      m.expect(h.session(lines)).toBeObservable('(gabcdefhijk|)', {
        g: GREETING,
        a: '+OK\r\n',
        b: LOGGED_IN,
        c: '+OK 3 85\r\n',
        d: '+OK 3 messages (85 octets)\r\n1 23\r\n2 37\r\n3 25\r\n.\r\n',
        e: '+OK 23 octets\r\n',
        f: 'Subject: one\r\n\r\nfirst\r\n',
        h: '.\r\n',
        i: '+OK Message 2 deleted\r\n',
        j: '+OK 2 messages (48 octets)\r\n1 23\r\n3 25\r\n.\r\n',
        k: '+OK Bye: 1 message deleted\r\n',
      });
      m.flush();
      expect(h.maildrops.commits).toEqual([{ user: 'alice', deleted: [1] }]);
    }),
  );

  it(
    'closes after 10 minutes of silence without UPDATE, and releases the lock',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL);
      const lines = m.cold('-u-p-d 1000ms -', { ...login, d: 'DELE 1' });
      const output = h.session(lines);
      m.expect(output).toBeObservable('ga-b-c 599999ms (t|)', {
        g: GREETING,
        a: '+OK\r\n',
        b: LOGGED_IN,
        c: '+OK Message 1 deleted\r\n',
        t: '-ERR Disconnected for inactivity\r\n',
      });
      m.flush();
      expect(h.maildrops.commits).toEqual([]);
      expect(h.maildrops.locked.size).toBe(0);
      expect(h.events.some((event) => event.type === 'timeout')).toBe(true);
    }),
  );

  it(
    'restarts the idle timer on every command',
    marbles((m) => {
      const h = harness(m.scheduler, {}, undefined, 100);
      const lines = m.cold('90ms n 90ms n', { n: 'CAPA' });
      const capa = '+OK Capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nEXPIRE NEVER\r\nIMPLEMENTATION pop3d\r\n.\r\n';
      m.expect(h.session(lines)).toBeObservable('g 89ms c 90ms c 99ms (t|)', {
        g: GREETING,
        c: capa,
        t: '-ERR Disconnected for inactivity\r\n',
      });
    }),
  );
});

describe('QUIT behind pipelined replies', () => {
  it(
    'commits only when its turn comes: a client gone before then deletes nothing and leaves no lock',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL);
      // The socket never drains, so RETR's reply cannot finish and QUIT's turn never comes.
      const lines = m.cold('(upDrq)', { ...login, D: 'DELE 2', r: 'RETR 1', q: 'QUIT' });
      const output = h.session(lines, { paused$: m.cold('t', { t: true }) });
      m.expect(output, '^ 10ms !').toBeObservable('(gabc)', {
        g: GREETING,
        a: '+OK\r\n',
        b: LOGGED_IN,
        c: '+OK Message 2 deleted\r\n',
      });
      m.flush();
      expect(h.maildrops.commits).toEqual([]);
      expect(h.maildrops.locked.size).toBe(0);
    }),
  );
});

describe('pre-login timeout', () => {
  const ONE_MESSAGE = { alice: ['Subject: one\n\nfirst\n'] };
  const TIMEOUT = '-ERR Disconnected for inactivity\r\n';
  const LOGGED_IN_ONE = '+OK Logged in: 1 message (23 octets)\r\n';
  /** 10 minutes of autologout, 1 minute to log in. */
  const timeouts = { loginTimeoutMs: () => 60_000, idleTimeoutMs: () => 600_000 };

  it(
    'drops a connection silent for the login timeout before login; each command restarts it',
    marbles((m) => {
      const h = harness(m.scheduler, ONE_MESSAGE, undefined, undefined, timeouts);
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
      const h = harness(m.scheduler, ONE_MESSAGE, undefined, undefined, timeouts);
      const lines = m.cold('-u-p', { u: 'USER alice', p: 'PASS secret' });
      m.expect(h.session(lines)).toBeObservable('go-l 599999ms (t|)', { g: GREETING, o: '+OK\r\n', l: LOGGED_IN_ONE, t: TIMEOUT });
      m.flush();
      expect(h.maildrops.locked.size).toBe(0);
    }),
  );
});
