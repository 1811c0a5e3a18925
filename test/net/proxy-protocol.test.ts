import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEADER_OCTETS,
  parseProxyHeader,
  proxyHeaderReader,
  V1_MAX_OCTETS,
  V2_MAX_PAYLOAD,
  type ProxyParse,
  type ReaderStep,
} from '../../src/net/proxy-protocol.js';
import { v2Header, v2Tcp4, v2Tcp6 } from '../support/proxy-headers.js';

const v1 = (line: string): Buffer => Buffer.from(`${line}\r\n`, 'latin1');

const proxied = (version: 1 | 2, source: [string, number], destination: [string, number], length: number): ProxyParse => ({
  kind: 'header',
  header: {
    kind: 'proxied',
    version,
    source: { address: source[0], port: source[1] },
    destination: { address: destination[0], port: destination[1] },
  },
  length,
});

/**
 * Feeds `bytes` to a fresh reader cut at `cuts` (offsets) until it decides. `after`: what the session gets,
 * the header's `rest` then the chunks that arrive after the decision.
 */
function readInPieces(bytes: Buffer, cuts: readonly number[]): { step: ReaderStep; after: Buffer } {
  const feed = proxyHeaderReader();
  const edges = [...new Set([0, ...cuts, bytes.length])].sort((a, b) => a - b);
  let step: ReaderStep = { kind: 'incomplete' };
  let i = 1;
  for (; i < edges.length && step.kind === 'incomplete'; i++) step = feed(bytes.subarray(edges[i - 1], edges[i]));
  const rest = step.kind === 'header' ? step.rest : Buffer.alloc(0);
  return { step, after: Buffer.concat([rest, bytes.subarray(edges[i - 1] ?? bytes.length)]) };
}

describe('PROXY protocol v1', () => {
  it('reads TCP4 and TCP6 lines; IPv6 addresses get one spelling', () => {
    const tcp4 = v1('PROXY TCP4 192.0.2.1 198.51.100.2 56324 110');
    expect(parseProxyHeader(tcp4)).toEqual(proxied(1, ['192.0.2.1', 56324], ['198.51.100.2', 110], tcp4.length));
    const tcp6 = v1('PROXY TCP6 2001:0DB8:0:0::1 ::ffff:192.0.2.9 65535 0');
    expect(parseProxyHeader(tcp6)).toEqual(proxied(1, ['2001:db8::1', 65535], ['::ffff:192.0.2.9', 0], tcp6.length));
  });

  it('reads UNKNOWN, whatever follows it on the line, as "use the socket address"', () => {
    const line = v1('PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535');
    expect(parseProxyHeader(line)).toEqual({ kind: 'header', header: { kind: 'local', version: 1 }, length: line.length });
  });

  it('takes a line of exactly 107 octets and refuses a longer one before its end arrives', () => {
    const longest = v1(`PROXY UNKNOWN ${'x'.repeat(V1_MAX_OCTETS - 16)}`);
    expect(longest.length).toBe(V1_MAX_OCTETS);
    expect(parseProxyHeader(longest).kind).toBe('header');
    const oneMore = v1(`PROXY UNKNOWN ${'x'.repeat(V1_MAX_OCTETS - 15)}`);
    expect(oneMore.length).toBe(V1_MAX_OCTETS + 1);
    expect(parseProxyHeader(oneMore)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('107') });
    const noEndYet = Buffer.from(`PROXY UNKNOWN ${'x'.repeat(V1_MAX_OCTETS - 15)}`);
    expect(parseProxyHeader(noEndYet)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('107') });
    expect(parseProxyHeader(noEndYet.subarray(0, V1_MAX_OCTETS - 2)).kind).toBe('incomplete');
  });

  it.each([
    ['a POP3 command', 'USER alice'],
    ['lower case', 'proxy TCP4 192.0.2.1 198.51.100.2 1 2'],
    ['an unknown protocol', 'PROXY UDP4 192.0.2.1 198.51.100.2 1 2'],
    ['an IPv6 address on TCP4', 'PROXY TCP4 ::1 ::1 1 2'],
    ['an IPv4 address with leading zeros', 'PROXY TCP4 192.0.2.01 198.51.100.2 1 2'],
    ['a port over 65535', 'PROXY TCP4 192.0.2.1 198.51.100.2 65536 2'],
    ['a port with a leading zero', 'PROXY TCP4 192.0.2.1 198.51.100.2 0110 2'],
    ['a missing port', 'PROXY TCP4 192.0.2.1 198.51.100.2 1'],
    ['a double space', 'PROXY TCP4  192.0.2.1 198.51.100.2 1 2'],
    ['a zone index', 'PROXY TCP6 fe80::1%eth0 ::1 1 2'],
  ])('refuses %s', (_what, line) => {
    expect(parseProxyHeader(v1(line)).kind).toBe('invalid');
  });

  it('refuses a bare LF or control characters at once, without waiting for more', () => {
    expect(parseProxyHeader(Buffer.from('PROXY TCP4\n')).kind).toBe('invalid');
    expect(parseProxyHeader(Buffer.from('PROXY \x00')).kind).toBe('invalid');
    expect(parseProxyHeader(Buffer.from('PROXY TCP4\rX')).kind).toBe('invalid');
  });
});

describe('PROXY protocol v2', () => {
  it('reads PROXY over TCP4 and TCP6, skipping TLVs', () => {
    const tcp4 = v2Tcp4([192, 0, 2, 1], 56324, [198, 51, 100, 2], 995, Buffer.from([0x04, 0x00, 0x01, 0x00]));
    expect(parseProxyHeader(tcp4)).toEqual(proxied(2, ['192.0.2.1', 56324], ['198.51.100.2', 995], tcp4.length));
    const tcp6 = v2Tcp6('20010db8000000000000000000000001', 1, '00000000000000000000ffffc0000209', 110);
    expect(parseProxyHeader(tcp6)).toEqual(proxied(2, ['2001:db8::1', 1], ['::ffff:192.0.2.9', 110], tcp6.length));
  });

  it('reads LOCAL, AF_UNSPEC and AF_UNIX as "use the socket address", ignoring their address block', () => {
    for (const header of [v2Header(0x20, 0x11, Buffer.alloc(12)), v2Header(0x21, 0x00, Buffer.alloc(0)), v2Header(0x21, 0x31, Buffer.alloc(216))]) {
      expect(parseProxyHeader(header)).toEqual({ kind: 'header', header: { kind: 'local', version: 2 }, length: header.length });
    }
  });

  it.each([
    ['version 1 in the binary form', v2Header(0x11, 0x11, Buffer.alloc(12))],
    ['an unknown command', v2Header(0x22, 0x11, Buffer.alloc(12))],
    ['UDP', v2Header(0x21, 0x12, Buffer.alloc(12))],
    ['an unknown family', v2Header(0x21, 0x41, Buffer.alloc(12))],
    ['a TCP4 block too short for its addresses', v2Header(0x21, 0x11, Buffer.alloc(11))],
    ['a TCP6 block too short for its addresses', v2Header(0x21, 0x21, Buffer.alloc(35))],
  ])('refuses %s', (_what, header) => {
    expect(parseProxyHeader(header).kind).toBe('invalid');
  });

  it(`refuses a declared length over ${V2_MAX_PAYLOAD} from the fixed part alone`, () => {
    const fixed = v2Header(0x21, 0x11, Buffer.alloc(V2_MAX_PAYLOAD + 1)).subarray(0, 16);
    expect(parseProxyHeader(fixed).kind).toBe('invalid');
    expect(parseProxyHeader(v2Header(0x21, 0x11, Buffer.alloc(V2_MAX_PAYLOAD))).kind).toBe('header');
  });
});

const port = fc.integer({ min: 0, max: 65535 });
const ipv4Bytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
const ipv6Hex = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes).toString('hex'));
const tlvs = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes));

/** Valid headers of every kind this server reads. */
const validHeader: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.ipV4(), port, port).map(([s, d, sp, dp]) => v1(`PROXY TCP4 ${s} ${d} ${sp} ${dp}`)),
  fc.tuple(fc.ipV6(), fc.ipV6(), port, port).map(([s, d, sp, dp]) => v1(`PROXY TCP6 ${s} ${d} ${sp} ${dp}`)),
  fc.string({ unit: fc.constantFrom('a', '1', ':', ' '), maxLength: 80 }).map((rest) => v1(`PROXY UNKNOWN${rest === '' ? '' : ` ${rest}`}`)),
  fc.tuple(ipv4Bytes, port, ipv4Bytes, port, tlvs).map(([s, sp, d, dp, extra]) => v2Tcp4(s, sp, d, dp, extra)),
  fc.tuple(ipv6Hex, port, ipv6Hex, port, tlvs).map(([s, sp, d, dp, extra]) => v2Tcp6(s, sp, d, dp, extra)),
  fc.uint8Array({ maxLength: 64 }).map((block) => v2Header(0x20, 0x00, Buffer.from(block))),
);

const cuts = (max: number): fc.Arbitrary<number[]> => fc.array(fc.integer({ min: 0, max }), { maxLength: 12 });

describe('PROXY header properties', () => {
  it('any split of a valid header, followed by session data, reads as the whole does, leaving that data', () => {
    fc.assert(
      fc.property(
        validHeader.chain((header) => fc.tuple(fc.constant(header), fc.uint8Array({ maxLength: 40 }), cuts(header.length + 40))),
        ([header, data, at]) => {
          const whole = parseProxyHeader(header);
          expect(whole).toMatchObject({ kind: 'header', length: header.length });
          const { step, after } = readInPieces(Buffer.concat([header, data]), at);
          expect(step).toMatchObject({ kind: 'header', header: whole.kind === 'header' && whole.header });
          expect(after).toEqual(Buffer.from(data));
        },
      ),
    );
  });

  it('every proper prefix of a valid header is incomplete, never a wrong verdict', () => {
    fc.assert(
      fc.property(validHeader.chain((header) => fc.tuple(fc.constant(header), fc.nat(header.length - 1))), ([header, n]) => {
        expect(parseProxyHeader(header.subarray(0, n))).toEqual({ kind: 'incomplete' });
      }),
    );
  });

  it('garbage never throws, and is decided within MAX_HEADER_OCTETS octets', () => {
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: MAX_HEADER_OCTETS + 20 }),
      // Near misses: a valid header with some octets overwritten.
      fc.tuple(validHeader, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(
        ([header, changes]) => {
          const copy = Buffer.from(header);
          for (const [at, value] of changes) copy[at % copy.length] = value;
          return Uint8Array.from(copy);
        },
      ),
    );
    fc.assert(
      fc.property(garbage, cuts(MAX_HEADER_OCTETS + 20), (bytes, at) => {
        const buffer = Buffer.from(bytes);
        const result = parseProxyHeader(buffer);
        if (result.kind === 'header') expect(result.length).toBeLessThanOrEqual(Math.min(buffer.length, MAX_HEADER_OCTETS));
        if (buffer.length >= MAX_HEADER_OCTETS) expect(result.kind).not.toBe('incomplete');
        expect(readInPieces(buffer, at).step.kind).toBe(result.kind);
      }),
    );
  });

  it('refuses at the first octet anything that starts like neither version', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 50 }).filter((b) => b[0] !== 0x50 && b[0] !== 0x0d), (bytes) => {
        expect(parseProxyHeader(Buffer.from(bytes.subarray(0, 1))).kind).toBe('invalid');
      }),
    );
  });
});
