import { createHash } from 'node:crypto';
import { concat, defer, map, of, type Observable } from 'rxjs';
import { marbles } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { asInputLines, asText, GREETING, harness, type Harness } from '../../support/pop3-harness.js';

const MAIL = { alice: ['Subject: one\n\nfirst\n'] };
const STARTING = '+OK Begin TLS negotiation\r\n';
const UNTRUSTED = { startTls: true, plaintextAuthAllowed: (c: { secure: boolean }) => c.secure };
const PEER = { address: '203.0.113.7', remote: '203.0.113.7:40000' };
const CAPA_AFTER_TLS = ['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'PIPELINING', 'RESP-CODES', 'AUTH-RESP-CODE', 'EXPIRE NEVER', 'IMPLEMENTATION pop3d'];

/**
 * What the net layer does, in virtual time (a `(ot)` group in the expected marbles spans 4 frames, so the
 * secured input starts with `----` to line up): the plaintext session, then, once it has ended with a StartTls,
 * the session it hands over to, over the lines that arrive through TLS (subscribed only from then on).
 */
function overTls(h: Harness, plain$: Observable<string>, secured$: Observable<string>): Observable<string> {
  return concat(
    h.session(plain$),
    defer(() => {
      const upgrade = h.upgrades.at(-1);
      if (upgrade === undefined) throw new Error('the session did not end with a StartTls');
      const connection = { id: 'c1', remote: PEER.remote, address: PEER.address, secure: true, outputPaused$: of(false) };
      return upgrade.resume(asInputLines(secured$), connection).pipe(map(asText([])));
    }),
  );
}

describe('STLS (RFC 2595) in virtual time', () => {
  it(
    'answers +OK, then ends the plaintext session with a StartTls for the net layer',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, UNTRUSTED, PEER);
      m.expect(h.session(m.cold('-s-', { s: 'STLS' }))).toBeObservable('g(ot|)', {
        g: GREETING,
        o: STARTING,
        t: '<starttls>',
      });
    }),
  );

  it(
    'never executes commands pipelined after STLS in the same write (STARTTLS injection)',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, { ...UNTRUSTED, plaintextAuthAllowed: () => true }, PEER);
      const lines = m.cold('(supr)', { s: 'STLS', u: 'USER alice', p: 'PASS secret', r: 'RETR 1' });
      m.expect(h.session(lines)).toBeObservable('(got|)', { g: GREETING, o: STARTING, t: '<starttls>' });
      m.flush();
      // Not even looked at: no login was attempted and no lock was taken.
      expect(h.events.filter((event) => event.type === 'auth')).toEqual([]);
      expect(h.events.flatMap((event) => (event.type === 'command' ? [event.verb] : []))).toEqual(['STLS']);
      expect(h.maildrops.locked.size).toBe(0);
    }),
  );

  it(
    'runs a fresh session over TLS: no second greeting, the pending USER forgotten, CAPA again (without STLS)',
    marbles((m) => {
      // A client on a trusted network may send USER before STLS: the pending USER must not survive the handshake.
      const h = harness(m.scheduler, MAIL, undefined, undefined, { ...UNTRUSTED, plaintextAuthAllowed: () => true }, PEER);
      const plain = m.cold('-u-s', { u: 'USER alice', s: 'STLS' });
      const secured = m.cold('----c-p-u-P-s-|', { c: 'CAPA', p: 'PASS secret', u: 'USER alice', P: 'PASS secret', s: 'STLS' });
      m.expect(overTls(h, plain, secured)).toBeObservable('gr-(ot)c-e-k-l-a-|', {
        g: GREETING,
        r: '+OK\r\n',
        o: STARTING,
        t: '<starttls>',
        c: `+OK Capability list follows\r\n${CAPA_AFTER_TLS.join('\r\n')}\r\n.\r\n`,
        e: '-ERR Send USER first\r\n',
        k: '+OK\r\n',
        l: '+OK Logged in: 1 message (23 octets)\r\n',
        a: '-ERR STLS is not valid in this state\r\n',
      });
      m.flush();
      expect(h.events.filter((event) => event.type === 'auth')).toMatchObject([{ user: 'alice', ok: true }]);
    }),
  );

  it(
    'refuses a second STLS on a secured connection, and STLS when no certificate is configured',
    marbles((m) => {
      const withTls = harness(m.scheduler, MAIL, undefined, undefined, UNTRUSTED, PEER);
      const again = overTls(withTls, m.cold('-s', { s: 'STLS' }), m.cold('----s-|', { s: 'STLS' }));
      m.expect(again).toBeObservable('g(ot)a-|', { g: GREETING, o: STARTING, t: '<starttls>', a: '-ERR Already using TLS\r\n' });
      const withoutTls = harness(m.scheduler, MAIL);
      m.expect(withoutTls.session(m.cold('-s-|', { s: 'STLS' }))).toBeObservable('ga-|', {
        g: GREETING,
        a: '-ERR TLS is not available\r\n',
      });
    }),
  );

  it(
    'keeps the failure count across STLS, so the handshake buys no extra attempts',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, { ...UNTRUSTED, maxFailuresPerConnection: 2 }, PEER);
      const plain = m.cold('-a-s', { a: `APOP alice ${'0'.repeat(32)}`, s: 'STLS' });
      const secured = m.cold('----u-p-', { u: 'USER alice', p: 'PASS wrong' });
      m.expect(overTls(h, plain, secured)).toBeObservable('gf-(ot)k-(x|)', {
        g: GREETING,
        f: '-ERR [AUTH] Authentication failed.\r\n',
        o: STARTING,
        t: '<starttls>',
        k: '+OK\r\n',
        x: '-ERR [AUTH] Authentication failed; too many failures, closing the connection\r\n',
      });
    }),
  );

  it(
    'keeps the greeting timestamp after STLS, so APOP still verifies over TLS',
    marbles((m) => {
      const h = harness(m.scheduler, MAIL, undefined, undefined, UNTRUSTED, PEER);
      const digest = createHash('md5').update('<c1.0@test>secret').digest('hex');
      const secured = m.cold('----a-|', { a: `APOP alice ${digest}` });
      m.expect(overTls(h, m.cold('-s', { s: 'STLS' }), secured)).toBeObservable('g(ot)l-|', {
        g: GREETING,
        o: STARTING,
        t: '<starttls>',
        l: '+OK Logged in: 1 message (23 octets)\r\n',
      });
    }),
  );
});
