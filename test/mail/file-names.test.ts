import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fsPath, hasEscapedBytes, nameBytes, nameFromBytes } from '../../src/mail/file-names.js';

describe('byte-exact file names', () => {
  it('decode valid UTF-8 as usual, and escape only the bytes that are not', () => {
    expect(nameFromBytes(Buffer.from('1700000000.M1.héllo:2,S'))).toBe('1700000000.M1.héllo:2,S');
    const odd = nameFromBytes(Buffer.from([0x31, 0x2e, 0xff, 0xfe, 0x2e, 0x78, 0x3a, 0x32, 0x2c]));
    expect(odd).toBe('1.\udcff\udcfe.x:2,');
    expect(hasEscapedBytes(odd)).toBe(true);
    expect(hasEscapedBytes('a😀b')).toBe(false);
  });

  it('lead back to the same bytes, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(nameBytes(nameFromBytes(buffer)).equals(buffer)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('give distinct names to distinct byte strings', () => {
    const a = nameFromBytes(Buffer.from([0xc3, 0xa9])); // "é"
    const b = nameFromBytes(Buffer.from([0xe9])); // latin-1 "é", not UTF-8
    expect(a).not.toBe(b);
    expect(fsPath(`/m/cur/${b}`)).toEqual(Buffer.concat([Buffer.from('/m/cur/'), Buffer.of(0xe9)]));
    expect(fsPath('/m/cur/plain')).toBe('/m/cur/plain');
  });
});
