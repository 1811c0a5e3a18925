import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nameFromBytes } from '../../src/maildir/file-names.js';
import { bodyPieces, decodeSizeCache, encodeSizeCache, SizeCacheFormatError, type CachedListing } from '../../src/maildir/size-cache-format.js';

const listing = (maildir: string): CachedListing => ({
  stamps: ['1:2:3', '4:5:6'],
  settled: true,
  messages: [
    { dir: 'cur', name: '1.a:2,S', baseName: '1.a', path: `${maildir}/cur/1.a:2,S`, wireSize: 10, version: { size: 8, mtimeMs: 1.5 } },
    { dir: 'new', name: '2.b,W=7', baseName: '2.b,W=7', path: `${maildir}/new/2.b,W=7`, wireSize: 7, version: undefined },
  ],
});

describe('size cache format', () => {
  it('round-trips a listing', () => {
    expect(decodeSizeCache('/m', encodeSizeCache(listing('/m')))).toEqual(listing('/m'));
  });

  it('pauses between pieces of names, before the first byte, so that no one step encodes every name', () => {
    const one = listing('/m').messages[0]!;
    const messages = Array.from({ length: 25_000 }, (_, i) => ({ ...one, name: `${i}.m:2,S`, baseName: `${i}.m`, path: `/m/cur/${i}.m:2,S` }));
    const steps = [...bodyPieces({ ...listing('/m'), messages })];
    // Three pieces of names (10,000 each), each a pause with nothing to write yet.
    expect(steps.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(steps.slice(3).every((piece) => piece !== undefined)).toBe(true);
    expect(decodeSizeCache('/m', encodeSizeCache({ ...listing('/m'), messages })).messages).toEqual(messages);
  });

  it('round-trips names as their bytes on disk, UTF-8 or not', () => {
    const odd = [nameFromBytes(Buffer.from([0x31, 0x2e, 0xff, 0xfe, 0x3a])), '2.caf\u00e9\u{1f600}', nameFromBytes(Buffer.from([0x33, 0x2e, 0xc3]))];
    const one = listing('/m').messages[0]!;
    const messages = odd.map((name) => ({ ...one, name, baseName: name, path: `/m/cur/${name}` }));
    expect(decodeSizeCache('/m', encodeSizeCache({ ...listing('/m'), messages })).messages).toEqual(messages);
  });

  it('refuses every truncation, every damaged byte, and a foreign file', () => {
    const bytes = encodeSizeCache(listing('/m'));
    for (let length = 0; length < bytes.length; length++) {
      expect(() => decodeSizeCache('/m', bytes.subarray(0, length))).toThrow(SizeCacheFormatError);
    }
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at]! ^= 0x10;
      expect(() => decodeSizeCache('/m', damaged)).toThrow(SizeCacheFormatError);
    }
    const otherOrder = Buffer.from(bytes);
    otherOrder.write(otherOrder.includes('2 le\n') ? '2 be\n' : '2 le\n', otherOrder.indexOf('2 '), 'latin1');
    for (const foreign of [Buffer.from('other-format 1\n{}'), Buffer.from('pop3d-sizes 1 abc\n{}'), otherOrder]) {
      expect(() => decodeSizeCache('/m', foreign)).toThrow(/unknown format/u);
    }
  });

  /** The file with its body edited and signed again, as a buggy or hostile writer could make it. */
  function forged(bytes: Buffer, edit: (body: Buffer) => Buffer): Buffer {
    const magic = bytes.indexOf(0x0a) + 1;
    const body = edit(Buffer.from(bytes.subarray(magic + 32)));
    return Buffer.concat([bytes.subarray(0, magic), createHash('sha256').update(body).digest(), body]);
  }

  it('refuses a file its digest vouches for when its parts do not add up', () => {
    const bytes = encodeSizeCache(listing('/m'));
    const headerEnd = (body: Buffer): number => body.indexOf(0x0a) + 1;
    const header = (body: Buffer): Record<string, unknown> => JSON.parse(body.toString('utf8', 0, headerEnd(body) - 1)) as Record<string, unknown>;
    const withHeader = (change: Record<string, unknown>) => (body: Buffer): Buffer =>
      Buffer.concat([Buffer.from(`${JSON.stringify({ ...header(body), ...change })}\n`), body.subarray(headerEnd(body))]);
    const number = (index: number, value: number) => (body: Buffer): Buffer => {
      body.writeDoubleLE(value, headerEnd(body) + index * 8);
      return body;
    };
    const packed = (value: number) => (body: Buffer): Buffer => {
      body.writeUInt32LE(value, headerEnd(body) + 2 * 3 * 8);
      return body;
    };
    const cases: [(body: Buffer) => Buffer, RegExp][] = [
      [withHeader({ count: 3 }), /bad length/u],
      [withHeader({ count: 1 }), /bad length/u],
      [withHeader({ namesBytes: 1 }), /bad length/u],
      [withHeader({ count: -1 }), /bad listing/u],
      [withHeader({ stamps: ['1:2:3'] }), /bad stamps/u],
      [(body) => Buffer.concat([Buffer.from('{oops\n'), body.subarray(headerEnd(body))]), /bad header/u],
      [number(0, -3), /bad sizes/u],
      [number(0, 1.5), /bad sizes/u],
      [number(1, Number.NaN), /bad file version/u],
      [number(2, Number.POSITIVE_INFINITY), /bad file version/u],
      [packed(3), /bad file name/u],
      [packed(1), /bad sizes/u],
      [(body) => body.fill(0x78, body.length - 1), /bad file name/u],
    ];
    if (!bytes.includes('2 le\n')) return; // the edits above write little-endian numbers
    for (const [edit, reason] of cases) expect(() => decodeSizeCache('/m', forged(bytes, edit))).toThrow(reason);
  });

  it('refuses names that would leave their directory, even with a valid digest', () => {
    for (const name of ['../../etc/passwd', '.hidden', 'a/b']) {
      const evil = listing('/m');
      const bytes = encodeSizeCache({ ...evil, messages: [{ ...evil.messages[0]!, name, baseName: name.slice(0, 1) }] });
      expect(() => decodeSizeCache('/m', bytes)).toThrow(/bad file name/u);
    }
  });
});
