import { BlockList, isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressSet, cidrProblem, normalizeAddress, octetsOf } from '../../src/net/address.js';

/** The oracle: net.BlockList, used as addressSet once used it. */
function blockListHas(cidrs: readonly string[], address: string): boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix] = cidr.split('/');
    const family = isIP(network) === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(network, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
  }
  const plain = normalizeAddress(address);
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

const asIPv6 = (octets: Uint8Array): string =>
  Array.from({ length: 8 }, (_, i) => ((octets[2 * i]! << 8) | octets[2 * i + 1]!).toString(16)).join(':');

/** Addresses of both families, mapped and compatible forms, and ones near the networks drawn. */
const anyAddress = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((v4) => `::ffff:${v4}`),
  fc.ipV4().map((v4) => `::${v4}`),
  fc.constantFrom('::', '::1', '127.0.0.1', '0.0.0.0', '255.255.255.255', 'fe80::1%eth0', 'ffff::', '::ffff:0:0'),
);
const anyNetwork = fc.oneof(
  fc.tuple(fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined })),
  fc.tuple(anyAddress.filter((a) => isIP(a) === 6 && !a.includes('%')), fc.option(fc.integer({ min: 0, max: 128 }), { nil: undefined })),
).map(([network, prefix]) => (prefix === undefined ? network : `${network}/${prefix}`));

describe('addresses and trusted networks', () => {
  it('writes IPv4-mapped IPv6 addresses as IPv4, and leaves others alone', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress('2001:db8::ffff:1.2.3.4')).toBe('2001:db8::ffff:1.2.3.4');
  });

  it('matches CIDR blocks and single addresses of either family, mapped addresses included', () => {
    const loopback = addressSet(['127.0.0.0/8', '::1/128']);
    expect(['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'].map((a) => loopback.has(a))).toEqual([true, true, true, true]);
    expect(['128.0.0.1', '::2', '::ffff:10.0.0.1', 'unknown', ''].some((a) => loopback.has(a))).toBe(false);
    const office = addressSet(['192.0.2.17', '2001:db8:1::/48']);
    const inOffice = ['192.0.2.17', '192.0.2.18', '2001:db8:1:ffff::1', '2001:db8:2::1'].map((a) => office.has(a));
    expect(inOffice).toEqual([true, false, true, false]);
    expect(addressSet([]).has('127.0.0.1')).toBe(false);
  });

  it('answers as net.BlockList does, for any networks and addresses of either family', () => {
    fc.assert(
      fc.property(fc.array(anyNetwork, { maxLength: 4 }), fc.array(anyAddress, { minLength: 1, maxLength: 8 }), (cidrs, addresses) => {
        const set = addressSet(cidrs);
        // Addresses at and around each network's edge: its own address with one bit flipped.
        for (const [index, cidr] of cidrs.entries()) {
          const octets = octetsOf(cidr.split('/')[0]!)!;
          const bit = (Number(cidr.split('/')[1] ?? 128) + (isIP(cidr.split('/')[0]!) === 4 ? 96 : 0) + index - 2) & 127;
          octets[bit >>> 3]! ^= 0x80 >>> (bit & 7);
          addresses.push(cidr.split('/')[0]!, asIPv6(octets));
        }
        for (const address of addresses) expect(set.has(address), `${address} in ${cidrs.join(' ')}`).toBe(blockListHas(cidrs, address));
        // An address is always in its own single-address network.
        for (const address of addresses) expect(addressSet([address.split('%')[0]!]).has(address)).toBe(true);
      }),
      // A counterexample as found: shrinking arrays of addresses can take minutes.
      { numRuns: 1000, endOnFailure: true },
    );
  });

  it('reads IPv6 in all its forms into the same octets', () => {
    const hex = (a: string) => Buffer.from(octetsOf(a)!).toString('hex');
    expect(hex('2001:db8::1')).toBe(hex('2001:0db8:0000:0000:0000:0000:0000:0001'));
    expect(hex('::ffff:1.2.3.4')).toBe('00000000000000000000ffff01020304');
    expect(hex('1.2.3.4')).toBe('00000000000000000000ffff01020304');
    expect(hex('1::')).toBe('00010000000000000000000000000000');
    expect(hex('fe80::1%eth0')).toBe('fe800000000000000000000000000001');
    expect(octetsOf('example.org')).toBeUndefined();
  });

  it('explains what is not an address or CIDR block', () => {
    expect(['10.0.0.0/8', '10.0.0.1', '::/0', 'fe80::/10'].map(cidrProblem)).toEqual([undefined, undefined, undefined, undefined]);
    expect(cidrProblem('10.0.0.0/33')).toMatch(/prefix/);
    expect(cidrProblem('::/129')).toMatch(/prefix/);
    expect(cidrProblem('10.0.0.0/x')).toMatch(/prefix/);
    expect(cidrProblem('localhost')).toMatch(/not an IP/);
    expect(cidrProblem('10.0.0.0/8/8')).toMatch(/not an IP/);
  });
});
