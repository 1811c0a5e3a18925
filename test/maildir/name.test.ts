import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseNameOf,
  compareBaseNames,
  newUniqueName,
  oldestFirstOrder,
  parseMaildirName,
  uidFor,
  withSizeFields,
} from '../../src/maildir/name.js';

/** The info separator as the Maildir spec and Dovecot define it: the last `:2,` or `!2,`, with flags after it. */
const INFO = /^(.+)[:!]2,([^:!]*)$/su;

describe('parseMaildirName', () => {
  it('splits the info', () => {
    expect(parseMaildirName('123.M4P5.host:2,RS')).toEqual({ baseName: '123.M4P5.host', flags: 'RS' });
    expect(parseMaildirName('123.M4P5.host!2,')).toEqual({ baseName: '123.M4P5.host', flags: '' });
    expect(parseMaildirName('123.M4P5.host')).toEqual({ baseName: '123.M4P5.host', flags: '' });
  });

  it('agrees with the pattern of the spec on any name, and baseNameOf with it', () => {
    const name = fc.string({ unit: fc.constantFrom('a', '1', '2', ',', ':', '!', '\n', 'é'), maxLength: 12 });
    fc.assert(
      fc.property(name, (fileName) => {
        const match = INFO.exec(fileName);
        const expected = match ? { baseName: match[1], flags: match[2] } : { baseName: fileName, flags: '' };
        expect(parseMaildirName(fileName)).toEqual(expected);
        expect(baseNameOf(fileName)).toBe(expected.baseName);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('compareBaseNames', () => {
  it('orders by timestamp numerically, then by the rest, undated last', () => {
    const names = ['1700000001.b', 'junk', '999999999.z', '1700000001.a', '1700000000.zz'];
    expect(names.sort(compareBaseNames)).toEqual(['999999999.z', '1700000000.zz', '1700000001.a', '1700000001.b', 'junk']);
  });
});

describe('Dovecot order of one second', () => {
  it('puts the smaller M<usecs> first, whatever the rest of the name says', () => {
    const names = ['1700000000.M900P7I1.host', '1700000000.M20P8I2.host', '1700000000.P1.host', '1699999999.M5.host'];
    expect([...names].sort(compareBaseNames)).toEqual(['1699999999.M5.host', '1700000000.M20P8I2.host', '1700000000.M900P7I1.host', '1700000000.P1.host']);
    expect(oldestFirstOrder(names)).toEqual([3, 1, 0, 2]);
  });
});

describe('oldestFirstOrder', () => {
  it('orders as compareBaseNames does, leading zeros, huge and missing timestamps included', () => {
    const seconds = fc.oneof(fc.nat(30).map(String), fc.constantFrom('007', '07', '7', '', '9'.repeat(16), '9'.repeat(400), '1'.repeat(15)));
    const rest = fc.string({ unit: fc.constantFrom('.', 'a', 'b', '1', 'x', 'M', '9'), maxLength: 6 });
    const name = fc.tuple(seconds, rest).map(([s, r]) => `${s}${r}`).filter((n) => n.length > 0);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 30 }), (names) => {
        const expected = [...names.keys()].sort((a, b) => compareBaseNames(names[a]!, names[b]!));
        expect(oldestFirstOrder(names)).toEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it('orders usual names (seconds and microseconds) as compareBaseNames does, ties and odd ones among them', () => {
    const usual = fc
      .tuple(fc.integer({ min: 1_699_999_998, max: 1_700_000_001 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom('P1', 'P2Q3', ''))
      .map(([seconds, usecs, rest]) => `${seconds}.M${usecs}${rest}.host`);
    const odd = fc.constantFrom('1700000000.M1000000P1.host', '1700000000.12345.host', 'x', `${'9'.repeat(15)}.M1.h`, '01700000000.M2.h');
    const names = fc.array(fc.oneof({ arbitrary: usual, weight: 9 }, { arbitrary: odd, weight: 1 }), { maxLength: 40 });
    fc.assert(
      fc.property(names, (list) => {
        const expected = [...list.keys()].sort((a, b) => compareBaseNames(list[a]!, list[b]!));
        expect(oldestFirstOrder(list)).toEqual(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('sorts many distinct usual names by their times', () => {
    const names = Array.from({ length: 5_000 }, (_, i) => `${1_700_000_000 + ((i * 7_919) % 5_000)}.M${(i * 31) % 1_000_000}P${i}.host`);
    const expected = [...names.keys()].sort((a, b) => compareBaseNames(names[a]!, names[b]!));
    expect(oldestFirstOrder(names)).toEqual(expected);
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
