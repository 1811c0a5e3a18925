import { describe, expect, it } from 'vitest';
import { flatString } from '../../src/process/flat-string.js';

describe('flatString', () => {
  it('keeps every code unit, lone surrogates, quotes and control characters included', () => {
    for (const text of ['', '/var/mail/a b/Maildir', `<x.1@h>`, '\ud800x\udfff', '"\\\n\u0000é😀']) {
      expect(flatString(text)).toBe(text);
    }
  });
});
