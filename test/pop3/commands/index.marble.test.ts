import { marbles } from 'rxjs-marbles';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { harness } from '../../support/pop3-harness.js';

const MAIL = {
  alice: ['Subject: one\n\nfirst\n', 'Subject: two\r\n\r\nsecond\r\n.hidden dot\r\n', 'Subject: three\n\nthird'],
};

/** Runs the lines as one pipelined write and returns the reply chunks after the greeting. */
function transcript(
  lines: string[],
  setup?: (h: ReturnType<typeof harness>) => void,
  passwords?: Record<string, string>,
): string[] {
  let replies: string[] = [];
  marbles((m) => {
    const h = harness(m.scheduler, MAIL, passwords);
    setup?.(h);
    const output: string[] = [];
    h.session(of(...lines)).subscribe((chunk) => output.push(chunk));
    m.flush();
    replies = output.slice(1);
  })();
  return replies;
}

const LOGIN = ['USER alice', 'PASS secret'];

describe('POP3 commands', () => {
  it('refuses transaction commands before login, and USER/PASS after', () => {
    const replies = transcript(['STAT', 'RETR 1', 'PASS x', ...LOGIN, 'USER bob', 'PASS y']);
    expect(replies).toEqual([
      '-ERR STAT is not valid in this state\r\n',
      '-ERR RETR is not valid in this state\r\n',
      '-ERR Send USER first\r\n',
      '+OK\r\n',
      '+OK Logged in: 3 messages (85 octets)\r\n',
      '-ERR USER is not valid in this state\r\n',
      '-ERR PASS is not valid in this state\r\n',
    ]);
  });

  it('gives an unknown user and a wrong password the same reply, and allows a retry', () => {
    const replies = transcript(['USER mallory', 'PASS secret', 'USER alice', 'PASS wrong', ...LOGIN]);
    expect(replies[1]).toBe('-ERR [AUTH] Authentication failed.\r\n');
    expect(replies[3]).toBe(replies[1]);
    expect(replies[5]).toBe('+OK Logged in: 3 messages (85 octets)\r\n');
  });

  it('accepts a password with spaces', () => {
    const replies = transcript(['USER alice', 'PASS correct horse battery'], undefined, { alice: 'correct horse battery' });
    expect(replies[1]).toMatch(/^\+OK Logged in/);
  });

  it('keeps message numbers after DELE: LIST skips, and the deleted number answers -ERR', () => {
    const replies = transcript([...LOGIN, 'DELE 2', 'LIST', 'LIST 2', 'RETR 2', 'TOP 2 0', 'UIDL 2', 'DELE 2', 'STAT', 'LIST 3']);
    expect(replies.slice(2)).toEqual([
      '+OK Message 2 deleted\r\n',
      '+OK 2 messages (48 octets)\r\n1 23\r\n3 25\r\n.\r\n',
      '-ERR Message 2 already deleted\r\n',
      '-ERR Message 2 already deleted\r\n',
      '-ERR Message 2 already deleted\r\n',
      '-ERR Message 2 already deleted\r\n',
      '-ERR Message 2 already deleted\r\n',
      '+OK 2 48\r\n',
      '+OK 3 25\r\n',
    ]);
  });

  it('RSET unmarks, QUIT then deletes nothing', () => {
    let commits: unknown[] = [];
    const replies = transcript([...LOGIN, 'DELE 1', 'DELE 3', 'RSET', 'STAT', 'QUIT'], (h) => {
      commits = h.maildrops.commits;
    });
    expect(replies.slice(4)).toEqual(['+OK 3 messages (85 octets)\r\n', '+OK 3 85\r\n', '+OK Bye: 0 messages deleted\r\n']);
    expect(commits).toEqual([{ user: 'alice', deleted: [] }]);
  });

  it('a session that ends without QUIT deletes nothing and releases the lock', () => {
    let maildrops: ReturnType<typeof harness>['maildrops'] | undefined;
    const replies = transcript([...LOGIN, 'DELE 1'], (h) => (maildrops = h.maildrops));
    expect(replies[2]).toBe('+OK Message 1 deleted\r\n');
    expect(maildrops?.commits).toEqual([]);
    expect(maildrops?.locked.size).toBe(0);
  });

  it('answers bad arguments with -ERR and carries on', () => {
    const replies = transcript([...LOGIN, 'RETR', 'RETR x', 'RETR 0', 'RETR 4', 'RETR 1 2', 'TOP 1', 'TOP 1 -1', 'LIST 99999999999', 'NOOP']);
    expect(replies.slice(2)).toEqual([
      '-ERR RETR takes 1 argument\r\n',
      '-ERR Invalid message number: x\r\n',
      '-ERR Invalid message number: 0\r\n',
      '-ERR No such message: 4\r\n',
      '-ERR RETR takes 1 argument\r\n',
      '-ERR TOP takes 2 arguments\r\n',
      '-ERR Invalid line count: -1\r\n',
      '-ERR Invalid message number: 99999999999\r\n',
      '+OK\r\n',
    ]);
  });

  it('answers unknown commands, garbage and over-long lines with -ERR', () => {
    const replies = transcript(['HELO', 'X', '', '\u0000\u0001binary', '<long>', 'capa']);
    expect(replies.slice(0, 5)).toEqual([
      '-ERR Unknown command\r\n',
      '-ERR Unknown command\r\n',
      '-ERR Empty command\r\n',
      '-ERR Invalid characters in command\r\n',
      '-ERR Line too long\r\n',
    ]);
    expect(replies[5]).toMatch(/^\+OK Capability list follows\r\n/);
  });

  it('RETR dot-stuffs and terminates; TOP sends the header and n body lines', () => {
    const replies = transcript([...LOGIN, 'RETR 2', 'TOP 1 0', 'TOP 2 1', 'TOP 3 5']);
    expect(replies.slice(2).join('')).toBe(
      '+OK 37 octets\r\nSubject: two\r\n\r\nsecond\r\n..hidden dot\r\n.\r\n' +
        '+OK Top of message follows\r\nSubject: one\r\n\r\n.\r\n' +
        '+OK Top of message follows\r\nSubject: two\r\n\r\nsecond\r\n.\r\n' +
        '+OK Top of message follows\r\nSubject: three\r\n\r\nthird\r\n.\r\n',
    );
  });

  it('UIDL lists stable unique ids', () => {
    const replies = transcript([...LOGIN, 'UIDL', 'UIDL 3']);
    expect(replies.slice(2)).toEqual([
      '+OK Unique-ID listing follows\r\n1 uid-alice-1\r\n2 uid-alice-2\r\n3 uid-alice-3\r\n.\r\n',
      '+OK 3 uid-alice-3\r\n',
    ]);
  });

  it('a message whose file vanished gets -ERR; the others still work', () => {
    const replies = transcript([...LOGIN, 'RETR 1', 'RETR 3'], (h) => h.maildrops.vanished.add('uid-alice-1'));
    expect(replies[2]).toBe('-ERR [SYS/TEMP] Message 1 cannot be read\r\n');
    expect(replies.slice(3).join('')).toBe('+OK 25 octets\r\nSubject: three\r\n\r\nthird\r\n.\r\n');
  });

  it('RETR marks a message seen once it has been sent whole; TOP and a vanished message do not', () => {
    let seen: string[] = [];
    transcript([...LOGIN, 'TOP 2 0', 'RETR 3', 'RETR 1', 'RETR 3'], (h) => {
      h.maildrops.vanished.add('uid-alice-1');
      seen = h.maildrops.seen;
    });
    expect(seen).toEqual(['uid-alice-3', 'uid-alice-3']);
  });

  it('a second session for a locked maildrop gets [IN-USE]; the holder is unaffected', () => {
    const replies = transcript([...LOGIN], (h) => h.maildrops.locked.add('alice'));
    expect(replies[1]).toBe('-ERR [IN-USE] Mailbox is locked by another session\r\n');
  });
});

describe('POP3 authentication mechanisms', () => {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');

  it('AUTH PLAIN with an initial response, with a continuation, cancelled, and with bad base64', () => {
    const replies = transcript([
      `AUTH PLAIN ${b64('\0alice\0wrong')}`,
      'AUTH PLAIN',
      '*',
      'AUTH PLAIN',
      'not base64!',
      'AUTH CRAM-MD5',
      'AUTH PLAIN',
      b64('alice\0alice\0secret'),
      'STAT',
    ]);
    expect(replies).toEqual([
      '-ERR [AUTH] Authentication failed.\r\n',
      '+ \r\n',
      '-ERR Authentication cancelled\r\n',
      '+ \r\n',
      '-ERR Invalid base64 in response\r\n',
      '-ERR Unsupported authentication mechanism\r\n',
      '+ \r\n',
      '+OK Logged in: 3 messages (85 octets)\r\n',
      '+OK 3 85\r\n',
    ]);
  });

  it('AUTH PLAIN refuses to act as another user', () => {
    expect(transcript([`AUTH PLAIN ${b64('bob\0alice\0secret')}`])).toEqual([
      '-ERR [AUTH] Authorization identity not permitted\r\n',
    ]);
  });

  it('APOP checks MD5(timestamp + secret) against the greeting of this connection', async () => {
    const { createHash } = await import('node:crypto');
    const digest = (secret: string): string => createHash('md5').update(`<c1.0@test>${secret}`).digest('hex');
    expect(transcript([`APOP alice ${digest('wrong')}`, `APOP nobody ${digest('secret')}`, `APOP alice ${digest('secret')}`])).toEqual([
      '-ERR [AUTH] Authentication failed.\r\n',
      '-ERR [AUTH] Authentication failed.\r\n',
      '+OK Logged in: 3 messages (85 octets)\r\n',
    ]);
  });
});
