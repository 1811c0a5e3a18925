import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOVECOT_DEFAULT_UIDL_FORMAT, expandUidl, parseUidlFormat, UidlFormatError } from '../../../src/maildir/dovecot/uidl-format.js';

const expand = (format: string, uid = 1, uidValidity = 0x6b122d38, fileName = '1700000000.M1P2.host,S=10') =>
  expandUidl(parseUidlFormat(format), { uid, uidValidity, fileName });

describe('pop3_uidl_format', () => {
  it("expands Dovecot's default %08Xu%08Xv in lowercase hex", () => {
    expect(expand(DOVECOT_DEFAULT_UIDL_FORMAT)).toBe('000000016b122d38');
    expect(expand('%08Xu%08Xv', 0xabcdef, 1)).toBe('00abcdef00000001');
  });

  it('expands %u %v %f, literals, %% and the long names', () => {
    expect(expand('%u.%v')).toBe(`1.${0x6b122d38}`);
    expect(expand('%f')).toBe('1700000000.M1P2.host,S=10');
    expect(expand('x%%%u')).toBe('x%1');
    expect(expand('%{uid}-%{uidvalidity}-%{filename}')).toBe(`1-${0x6b122d38}-1700000000.M1P2.host,S=10`);
  });

  it('pads with zeros without truncating, and truncates to a width without 0', () => {
    expect(expand('%05u', 42)).toBe('00042');
    expect(expand('%02u', 12345)).toBe('12345');
    expect(expand('%4f')).toBe('1700');
    expect(expand('%Xu', 255)).toBe('ff');
  });

  it('says whether the format needs UIDs', () => {
    expect(parseUidlFormat('%f').needsUids).toBe(false);
    expect(parseUidlFormat('%v%f').needsUids).toBe(true);
    expect(parseUidlFormat('%08Xu%08Xv').needsUids).toBe(true);
  });

  it('refuses unknown variables and formats without any', () => {
    for (const bad of ['%m', '%g', '%08Xq', '%', 'abc', '%{md5}', '%u%']) expect(() => parseUidlFormat(bad), bad).toThrow(UidlFormatError);
  });

  it('matches printf-style padding for any UID and UIDVALIDITY', () => {
    const u32 = fc.integer({ min: 1, max: 0xffff_ffff });
    fc.assert(
      fc.property(u32, u32, fc.integer({ min: 0, max: 12 }), (uid, uidValidity, width) => {
        const hex = uid.toString(16);
        expect(expand(`%0${width}Xu`, uid, uidValidity)).toBe(hex.length >= width ? hex : '0'.repeat(width - hex.length) + hex);
        expect(expand('%08Xu%08Xv', uid, uidValidity)).toBe(uid.toString(16).padStart(8, '0') + uidValidity.toString(16).padStart(8, '0'));
      }),
    );
  });
});
