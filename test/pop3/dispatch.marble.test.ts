import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import type { UserDirectory } from '../../src/auth/users.js';
import { harness, GREETING } from '../support/pop3-harness.js';
import { MemoryUsers } from '../support/memory-ports.js';
import { rejected } from '../support/sync.js';

/** A users port whose password check fails for one user (a directory down), and works for the others. */
function flakyUsers(failing: string): UserDirectory {
  const users = new MemoryUsers({ alice: 'secret', bob: 'hunter2' });
  return {
    authenticate: (user, password) =>
      user === failing ? rejected(new Error('directory unreachable')) : users.authenticate(user, password),
    plaintextSecret: (user) => users.plaintextSecret(user),
    exists: (user) => users.exists(user),
    list: () => users.list(),
    lookup: (user) => users.lookup(user),
  };
}

describe('POP3 error policy', () => {
  it(
    'a rejected password check answers -ERR [SYS/TEMP], logs an error event, and the session goes on',
    marbles((m) => {
      const h = harness(m.scheduler, { bob: ['Subject: x\n\nbody\n'] }, {}, 600_000, { users: flakyUsers('alice') });
      const lines = m.cold('-u-p-U-P-q|', { u: 'USER alice', p: 'PASS secret', U: 'USER bob', P: 'PASS hunter2', q: 'QUIT' });
      m.expect(h.session(lines)).toBeObservable('ga-b-c-d-(e|)', {
        g: GREETING,
        a: '+OK\r\n',
        b: '-ERR [SYS/TEMP] PASS failed\r\n',
        c: '+OK\r\n',
        d: '+OK Logged in: 1 message (20 octets)\r\n',
        e: '+OK Bye: 0 messages deleted\r\n',
      });
      m.flush();
      expect(h.events.filter((event) => event.type === 'error')).toEqual([
        { type: 'error', protocol: 'pop3', connection: 'c1', message: 'directory unreachable', at: 3 },
      ]);
      expect(h.events.filter((event) => event.type === 'command' && event.verb === 'PASS').map((event) => 'ok' in event && event.ok)).toEqual([
        false,
        true,
      ]);
    }),
  );

  it(
    'a step that throws answers -ERR [SYS/TEMP] and the session goes on',
    marbles((m) => {
      const throwing: UserDirectory = { ...flakyUsers('nobody'), authenticate: () => { throw new Error('bug'); } };
      const h = harness(m.scheduler, {}, {}, 600_000, { users: throwing });
      const lines = m.cold('-u-p-c|', { u: 'USER alice', p: 'PASS secret', c: 'NOOP' });
      m.expect(h.session(lines)).toBeObservable('ga-b-c|', {
        g: GREETING,
        a: '+OK\r\n',
        b: '-ERR [SYS/TEMP] PASS failed\r\n',
        c: '-ERR NOOP is not valid in this state\r\n',
      });
      m.flush();
      expect(h.events.filter((event) => event.type === 'error').map((event) => 'message' in event && event.message)).toEqual(['bug']);
    }),
  );
});
