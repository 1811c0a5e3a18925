import { isAbsolute, join, relative, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateUserName } from '../../src/auth/username.js';

describe('validateUserName', () => {
  it.each(['alice', 'bob.smith', 'user_1', 'a-b', 'x@example.org', 'jürgen', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(validateUserName(name)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['.', 'starts with "."'],
    ['..', 'starts with "."'],
    ['.hidden', 'starts with "."'],
    ['-rf', 'starts with "-"'],
    ['a/b', 'separator'],
    ['a\\b', 'separator'],
    ['a\0b', 'control'],
    ['a\nb', 'control'],
    ['a\x7fb', 'control'],
    ['a%u', '"%"'],
    ['a b', 'whitespace'],
    ['a\tb', 'control'],
    ['a\u00a0b', 'whitespace'],
    ['a\ud800b', 'Unicode'],
    ['a'.repeat(65), '64 octets'],
    ['ü'.repeat(33), '64 octets'],
  ])('rejects %j', (name, reason) => {
    expect(validateUserName(name)).toContain(reason);
  });

  const tricky = fc.string({
    unit: fc.constantFrom('a', 'b', '.', '/', '\\', '%', '-', ' ', '\0', '\n', 'é', '\ud800'),
    maxLength: 12,
  });

  it('accepted names are one plain path segment under the base', () => {
    const base = join(sep, 'var', 'mail');
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'binary' })), (name) => {
        fc.pre(validateUserName(name) === undefined);
        expect(name).not.toContain('/');
        expect(name.split(/[/\\]/u)).not.toContain('..');
        const path = join(base, name);
        const rel = relative(base, path);
        expect(rel).toBe(name);
        expect(rel.startsWith('..') || isAbsolute(rel)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
