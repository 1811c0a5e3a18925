import fc from 'fast-check';
import { marbles } from 'rxjs-marbles';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/pop3/parse.js';
import { harness } from '../support/pop3-harness.js';

describe('POP3 parser and session under arbitrary input', () => {
  it('parseLine never throws and yields a command or a reason', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const parsed = parseLine({ kind: 'line', text });
        expect(['command', 'invalid']).toContain(parsed.kind);
      }),
      { numRuns: 2000 },
    );
  });

  it('any lines get exactly one reply each (before QUIT), and the session never errors', () => {
    const verbs = ['USER alice', 'PASS secret', 'STAT', 'LIST', 'LIST 1', 'UIDL', 'DELE 1', 'RSET', 'NOOP', 'CAPA', 'TOP 1 0', 'RETR 1'];
    const line = fc.oneof(fc.constantFrom(...verbs), fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !/^quit/i.test(s.trim())));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), (lines) => {
        marbles((m) => {
          const h = harness(m.scheduler, { alice: ['Subject: a\n\nbody\n'] });
          const replies: string[] = [];
          let failed: unknown;
          h.session(from(lines)).subscribe({ next: (chunk) => replies.push(chunk), error: (e) => (failed = e) });
          m.flush();
          expect(failed).toBeUndefined();
          // Multi-chunk replies (RETR/TOP) start with a status line; count status lines only.
          const statuses = replies.slice(1).filter((chunk) => /^(\+OK|-ERR)/.test(chunk));
          expect(statuses.length).toBe(lines.length);
        })();
      }),
      { numRuns: 300 },
    );
  });
});
