import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VERB_LENGTH, parseLine } from '../../src/push3/parse.js';

const line = (text: string) => parseLine({ kind: 'line', text });

describe('Push3 parser', () => {
  it('reads a command and up to any number of single-space separated arguments, case-insensitively', () => {
    expect(line('login admin s3cr:t!')).toEqual({ kind: 'command', verb: 'LOGIN', args: ['admin', 's3cr:t!'] });
    expect(line('MeTrIcS')).toEqual({ kind: 'command', verb: 'METRICS', args: [] });
    expect(line('SET log_level debug')).toEqual({ kind: 'command', verb: 'SET', args: ['log_level', 'debug'] });
    expect(line('LOGIN ñandú contraseña')).toMatchObject({ args: ['ñandú', 'contraseña'] });
  });

  it('accepts a 20-letter command and refuses a 21-letter or non-alphabetic one', () => {
    expect(line('A'.repeat(MAX_VERB_LENGTH))).toMatchObject({ kind: 'command' });
    expect(line('A'.repeat(MAX_VERB_LENGTH + 1))).toMatchObject({ kind: 'invalid' });
    for (const text of ['LOG1N a b', 'MET-RICS', '123', 'ÑOQUI']) expect(line(text)).toMatchObject({ kind: 'invalid' });
  });

  it('wants exactly one space between parts', () => {
    for (const text of ['LOGIN  a b', 'LOGIN a  b', ' METRICS', 'METRICS ', 'LOGIN a b ']) {
      expect(line(text)).toEqual({ kind: 'invalid', reason: 'Parts must be separated by exactly one space' });
    }
  });

  it('refuses empty lines, control characters and over-long lines', () => {
    expect(line('')).toEqual({ kind: 'invalid', reason: 'Empty command' });
    expect(line('LOGIN a\tb')).toEqual({ kind: 'invalid', reason: 'Invalid characters in command' });
    expect(line('METRICS\x00')).toMatchObject({ kind: 'invalid' });
    expect(parseLine({ kind: 'too-long' })).toEqual({ kind: 'invalid', reason: 'Line too long (at most 512 octets)' });
  });

  it('property: never throws, and a command is an upper-case alphabetic verb with non-empty printable arguments', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' })), (text) => {
        const parsed = line(text);
        if (parsed.kind === 'invalid') {
          expect(parsed.reason.length).toBeGreaterThan(0);
          return;
        }
        expect(parsed.verb).toMatch(/^[A-Z]{1,20}$/);
        expect(parsed.verb).toBe(text.split(' ')[0]!.toUpperCase());
        for (const arg of parsed.args) expect(arg).toMatch(/^[^\x00-\x20\x7f]+$/u);
        expect([parsed.verb, ...parsed.args].join(' ').toUpperCase()).toBe(text.toUpperCase());
      }),
      { numRuns: 1000 },
    );
  });

  it('property: a well-formed line round-trips', () => {
    const verb = fc.stringMatching(/^[A-Za-z]{1,20}$/);
    const arg = fc.stringMatching(/^[!-~]{1,30}$/);
    fc.assert(
      fc.property(verb, fc.array(arg, { maxLength: 2 }), (v, args) => {
        expect(line([v, ...args].join(' '))).toEqual({ kind: 'command', verb: v.toUpperCase(), args });
      }),
    );
  });
});
