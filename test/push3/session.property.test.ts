import fc from 'fast-check';
import { BehaviorSubject, from } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { emptyMetrics } from '../../src/metrics/reducer.js';
import { GREETING } from '../../src/push3/session.js';
import { push3Harness } from '../support/push3-harness.js';

const VERBS = ['LOGIN', 'METRICS', 'FINISH', 'QUIT', 'WATCH', 'UNWATCH', 'HELP', 'USERS', 'ADDUSER', 'DELUSER', 'PASSWD', 'GET', 'SET'];
const word = fc.oneof(
  fc.constantFrom('root', 'toor', 'alice', 'secret', 'max_connections', 'idle_timeout', 'log_level', 'debug', '0', '2', '-1'),
  fc.string({ minLength: 1, maxLength: 8 }),
);
const verb = fc.oneof(fc.constantFrom(...VERBS), fc.constantFrom(...VERBS).map((v) => v.toLowerCase()), fc.string({ maxLength: 22 }));
const command = fc.tuple(verb, fc.array(word, { maxLength: 3 })).map(([v, args]) => [v, ...args].join(' '));
/** Anything a socket can deliver as a line: no LF inside (it ends the line), anything else goes. */
const line = fc.oneof(
  { arbitrary: command, weight: 4 },
  { arbitrary: fc.constant('LOGIN root toor'), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\n/g, '')), weight: 2 },
  { arbitrary: fc.constant('<long>'), weight: 1 },
);

const REPLY = /^->(SUCCESS|FAIL):( [^\r\n]*)?\r\n$/;

describe('Push3 session (property)', () => {
  it('answers every input line with exactly one whole reply line, up to FINISH/QUIT, and never fails', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
        const h = push3Harness(ts, new BehaviorSubject(emptyMetrics(0)));
        const out: string[] = [];
        let completed = false;
        h.session(from(lines)).subscribe({
          next: (chunk) => out.push(chunk),
          error: (error: unknown) => expect.fail(`session failed: ${String(error)}`),
          complete: () => (completed = true),
        });
        ts.flush();
        // The session ends after FINISH/QUIT, or once its admin has lost their rights (DELUSER or PASSWD of themselves).
        const end = lines.findIndex((text) => /^(finish|quit)$/i.test(text));
        // out[0] is the greeting, so out[k] answers lines[k - 1]: FINISH itself may be the line refused.
        const revokedLine = out.findIndex((reply) => reply.startsWith('->FAIL: Admin rights withdrawn')) - 1;
        const revoked = revokedLine >= 0 && (end === -1 || revokedLine <= end);
        const answered = revoked ? revokedLine + 1 : end === -1 ? lines.length : end + 1;
        expect(completed).toBe(true);
        expect(out[0]).toBe(GREETING);
        expect(out).toHaveLength(1 + answered);
        for (const reply of out) expect(reply).toMatch(REPLY);
        if (end !== -1 && !revoked) expect(out.at(-1)).toBe('->SUCCESS: Bye\r\n');
      }),
      { numRuns: 500 },
    );
  });
});
