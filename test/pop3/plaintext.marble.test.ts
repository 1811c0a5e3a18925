import { createHash } from 'node:crypto';
import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { GREETING, harness } from '../support/pop3-harness.js';

const MAIL = { alice: ['Subject: one\n\nfirst\n'] };
const LOGGED_IN = '+OK Logged in: 1 message (23 octets)\r\n';
const PEER = { address: '203.0.113.7', remote: '203.0.113.7:40000' };
const REFUSED_STLS = '-ERR [AUTH] Plaintext authentication is disallowed on non-secure connections; use STLS first\r\n';
const ALWAYS = ['PIPELINING', 'RESP-CODES', 'AUTH-RESP-CODE', 'EXPIRE NEVER', 'IMPLEMENTATION pop3d'];
const capa = (...lines: string[]): string => `+OK Capability list follows\r\n${[...lines, ...ALWAYS, '.'].join('\r\n')}\r\n`;
/** A connection from an untrusted network, neither TLS nor allowed by config. */
const untrusted = (startTls: boolean) => ({ startTls, plaintextAuthAllowed: () => false });

describe('plaintext authentication policy', () => {
  it(
    'on an untrusted plaintext connection: CAPA lists STLS but neither USER nor SASL PLAIN',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, untrusted(true), PEER);
      m.expect(h.session(m.cold('-c-|', { c: 'CAPA' }))).toBeObservable('gc-|', { g: GREETING, c: capa('TOP', 'UIDL', 'STLS') });
    }),
  );

  it(
    'refuses USER, PASS and AUTH PLAIN (with or without initial response) without checking anything',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, untrusted(true), PEER);
      const plainResponse = Buffer.from('\0alice\0secret').toString('base64');
      const lines = m.cold('-u-p-a-i-l-|', {
        u: 'USER alice',
        p: 'PASS secret',
        a: 'AUTH PLAIN',
        i: `AUTH PLAIN ${plainResponse}`,
        l: 'AUTH',
      });
      m.expect(h.session(lines)).toBeObservable('gu-p-a-i-l-|', {
        g: GREETING,
        u: REFUSED_STLS,
        p: REFUSED_STLS,
        a: REFUSED_STLS,
        i: REFUSED_STLS,
        l: '+OK Mechanisms follow\r\n.\r\n',
      });
      m.flush();
      expect(h.events.filter((event) => event.type === 'auth')).toEqual([]);
      expect(h.maildrops.locked.size).toBe(0);
    }),
  );

  it(
    'points to APOP when no certificate is configured, and APOP still works there',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, untrusted(false), PEER);
      const digest = createHash('md5').update('<c1.0@test>secret').digest('hex');
      m.expect(h.session(m.cold('-c-u-a-|', { c: 'CAPA', u: 'USER alice', a: `APOP alice ${digest}` }))).toBeObservable('gc-u-a-|', {
        g: GREETING,
        c: capa('TOP', 'UIDL'),
        u: '-ERR [AUTH] Plaintext authentication is disallowed on non-secure connections; use APOP\r\n',
        a: LOGGED_IN,
      });
    }),
  );

  it(
    'allows USER/PASS and SASL PLAIN where the policy allows plaintext (trusted network, TLS or config)',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, { startTls: true, plaintextAuthAllowed: () => true }, PEER);
      m.expect(h.session(m.cold('-c-u-p-|', { c: 'CAPA', u: 'USER alice', p: 'PASS secret' }))).toBeObservable('gc-u-p-|', {
        g: GREETING,
        c: capa('TOP', 'UIDL', 'USER', 'SASL PLAIN', 'STLS'),
        u: '+OK\r\n',
        p: LOGGED_IN,
      });
    }),
  );

  it(
    'asks the policy with the connection it runs on',
    marbles((m) => {
      const seen: unknown[] = [];
      const policy = (connection: { address: string; secure: boolean }): boolean => {
        seen.push({ address: connection.address, secure: connection.secure });
        return false;
      };
      const h = harness(m.scheduler, MAIL, undefined, undefined, { plaintextAuthAllowed: policy }, PEER);
      m.expect(h.session(m.cold('-|'))).toBeObservable('g|', { g: GREETING });
      m.flush();
      expect(seen).toEqual([{ address: '203.0.113.7', secure: false }]);
    }),
  );
});
