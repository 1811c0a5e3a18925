import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareBaseNames,
  newUniqueName,
  parseMaildirName,
  uidFor,
  withSizeFields,
} from '../../src/mail/maildir-name.js';

describe('parseMaildirName', () => {
  it('splits the info', () => {
    expect(parseMaildirName('123.M4P5.host:2,RS')).toEqual({ baseName: '123.M4P5.host', flags: 'RS' });
    expect(parseMaildirName('123.M4P5.host!2,')).toEqual({ baseName: '123.M4P5.host', flags: '' });
    expect(parseMaildirName('123.M4P5.host')).toEqual({ baseName: '123.M4P5.host', flags: '' });
  });
});

describe('compareBaseNames', () => {
  it('orders by timestamp numerically, then by the rest, undated last', () => {
    const names = ['1700000001.b', 'junk', '999999999.z', '1700000001.a', '1700000000.zz'];
    expect(names.sort(compareBaseNames)).toEqual(['999999999.z', '1700000000.zz', '1700000001.a', '1700000001.b', 'junk']);
  });
});

describe('uidFor', () => {
  it('is the base name when that is a legal UIDL', () => {
    expect(uidFor('1700000000.M1P2.host')).toBe('1700000000.M1P2.host');
  });

  it('hashes names that are too long or not printable ASCII', () => {
    expect(uidFor('x'.repeat(71))).toMatch(/^[0-9a-f]{40}$/u);
    expect(uidFor('a b')).toMatch(/^[0-9a-f]{40}$/u);
    expect(uidFor('jürgen')).toBe(uidFor('jürgen'));
  });

  it('is always a legal UIDL, distinct for distinct names', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        expect(uidFor(a)).toMatch(/^[\x21-\x7e]{1,70}$/u);
        if (a !== b) expect(uidFor(a)).not.toBe(uidFor(b));
      }),
    );
  });
});

describe('newUniqueName', () => {
  it('has the standard form, with the host escaped', () => {
    const name = newUniqueName({ now: 1_700_000_000_123.456, hostname: 'a/b:c' });
    expect(name).toMatch(new RegExp(`^1700000000\\.M123456P${process.pid}Q\\d+R[0-9a-f]{16}\\.a\\\\057b\\\\072c$`, 'u'));
  });

  it('never repeats', () => {
    const names = Array.from({ length: 1000 }, () => newUniqueName({ now: 0, hostname: 'h' }));
    expect(new Set(names).size).toBe(1000);
  });

  it('carries sizes that parse back', () => {
    expect(withSizeFields('1.M2P3.h', { size: 10, wireSize: 12 })).toBe('1.M2P3.h,S=10,W=12');
  });
});
