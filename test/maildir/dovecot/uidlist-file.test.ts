import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extensionOf, formatUidlist, parseUidlist, UidlistCorruptError, type Uidlist } from '../../../src/maildir/dovecot/uidlist-file.js';

/** As Dovecot 2.3 writes it: header, then records with and without extension fields. */
const DOVECOT = `3 V1700000000 N5 G0123456789abcdef0123456789abcdef
1 :1700000000.M1P1.host,S=10,W=12
2 W12 :1700000001.M2P1.host
4 PUIDL-FROM-OLD-SERVER O1 :1700000002.M3P1.host
`;

describe('dovecot-uidlist format 3', () => {
  it('reads what Dovecot writes', () => {
    const list = parseUidlist(DOVECOT)!;
    expect(list).toMatchObject({ uidValidity: 1700000000, nextUid: 5, guid: '0123456789abcdef0123456789abcdef' });
    expect(list.records.map((r) => [r.uid, r.baseName])).toEqual([
      [1, '1700000000.M1P1.host,S=10,W=12'],
      [2, '1700000001.M2P1.host'],
      [4, '1700000002.M3P1.host'],
    ]);
    expect(extensionOf(list.records[2]!, 'P')).toBe('UIDL-FROM-OLD-SERVER');
    expect(extensionOf(list.records[2]!, 'O')).toBe('1');
  });

  it('writes it back byte for byte', () => {
    expect(formatUidlist(parseUidlist(DOVECOT)!)).toBe(DOVECOT);
  });

  it('keeps unknown header fields, drops record fields Dovecot drops, and raises N above the last UID', () => {
    const list = parseUidlist('3 V7 N2 G0123456789abcdef0123456789abcdef Xfuture\n9 Zjunk W3 :a\n')!;
    expect(list.headerExtensions).toEqual(['Xfuture']);
    expect(list.records[0]!.extensions).toEqual(['W3']);
    expect(list.nextUid).toBe(10);
  });

  it('takes the later UID of a file listed twice, as Dovecot does', () => {
    const list = parseUidlist('3 V7 N9 G0123456789abcdef0123456789abcdef\n3 :a\n5 :b\n8 :a\n')!;
    expect(list.records.map((r) => [r.uid, r.baseName])).toEqual([
      [5, 'b'],
      [8, 'a'],
    ]);
  });

  it('treats an empty file as no list (Dovecot deletes it and starts again)', () => {
    expect(parseUidlist('')).toBeUndefined();
  });

  it('refuses a truncated or half-written file at any cut', () => {
    for (let cut = 1; cut < DOVECOT.length; cut++) {
      const text = DOVECOT.slice(0, cut);
      if (text.endsWith('\n')) continue;
      expect(() => parseUidlist(text), JSON.stringify(text)).toThrow(UidlistCorruptError);
    }
  });

  it('refuses what it cannot trust', () => {
    const header = '3 V7 N9 G0123456789abcdef0123456789abcdef\n';
    for (const bad of [
      '1 7 9\n', // format 1
      '3 V0 N9\n',
      '3 V7\n',
      '3 V7 N9 Gxyz\n',
      `${header}2 :a\n1 :b\n`, // UIDs not ascending
      `${header}0 :a\n`,
      `${header}x :a\n`,
      `${header}1 W3 a\n`, // no " :"
      `${header}1 :a/b\n`,
      '\0\0\0\0\n',
    ]) {
      expect(() => parseUidlist(bad), JSON.stringify(bad)).toThrow(UidlistCorruptError);
    }
  });

  it('reads back any list it writes', () => {
    const name = fc.stringMatching(/^[0-9A-Za-z.,=_-]{1,40}$/u);
    const field = fc.tuple(fc.constantFrom('S', 'W', 'P', 'O', 'G'), fc.stringMatching(/^[!-9;-~]{0,12}$/u)).map(([k, v]) => k + v);
    const list: fc.Arbitrary<Uidlist> = fc
      .record({
        uidValidity: fc.integer({ min: 1, max: 0xffff_ffff }),
        guid: fc.stringMatching(/^[0-9a-f]{32}$/u),
        headerExtensions: fc.array(fc.stringMatching(/^[A-FH-MO-UW-Z][!-~]{0,8}$/u), { maxLength: 2 }),
        records: fc.uniqueArray(fc.record({ gap: fc.integer({ min: 1, max: 1000 }), extensions: fc.array(field, { maxLength: 3 }), baseName: name }), {
          selector: (r) => r.baseName,
          maxLength: 30,
        }),
        spare: fc.nat(5),
      })
      .map(({ uidValidity, guid, headerExtensions, records, spare }) => {
        let uid = 0;
        const numbered = records.map(({ gap, extensions, baseName }) => ({ uid: (uid += gap), extensions, baseName }));
        return { uidValidity, nextUid: uid + 1 + spare, guid, headerExtensions, records: numbered };
      });
    fc.assert(
      fc.property(list, (written) => {
        expect(parseUidlist(formatUidlist(written))).toEqual(written);
      }),
    );
  });
});
