import { createHash } from 'node:crypto';
import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { GREETING, harness } from '../support/pop3-harness.js';

const MAIL = { alice: ['Subject: one\n\nfirst\n'] };

describe('user names that could become paths', () => {
  it(
    'fail like any wrong password and never reach the Maildir store, even if the directory accepted them',
    marbles((m) => {
      // A directory that (wrongly) knows these names: the session must still refuse them itself.
      const passwords = { '../alice': 'secret', 'a/b': 'secret', '.hidden': 'secret', alice: 'secret' };
      const h = harness(m.scheduler, MAIL, passwords);
      const opened: string[] = [];
      const open = h.maildrops.open.bind(h.maildrops);
      h.maildrops.open = (user) => {
        opened.push(user);
        return open(user);
      };
      const digest = createHash('md5').update('<c1.0@test>secret').digest('hex');
      const lines = m.cold('-u-p-U-P-a-|', {
        u: 'USER ../alice',
        p: 'PASS secret',
        U: 'USER a/b',
        P: 'PASS secret',
        a: `APOP .hidden ${digest}`,
      });
      m.expect(h.session(lines)).toBeObservable('go-f-o-f-f-|', {
        g: GREETING,
        o: '+OK\r\n',
        f: '-ERR [AUTH] Authentication failed.\r\n',
      });
      m.flush();
      expect(opened).toEqual([]);
    }),
  );
});
