import { describe, expect, it } from 'vitest';
import { addressSet, cidrProblem, normalizeAddress } from '../../src/net/address.js';

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

  it('explains what is not an address or CIDR block', () => {
    expect(['10.0.0.0/8', '10.0.0.1', '::/0', 'fe80::/10'].map(cidrProblem)).toEqual([undefined, undefined, undefined, undefined]);
    expect(cidrProblem('10.0.0.0/33')).toMatch(/prefix/);
    expect(cidrProblem('::/129')).toMatch(/prefix/);
    expect(cidrProblem('10.0.0.0/x')).toMatch(/prefix/);
    expect(cidrProblem('localhost')).toMatch(/not an IP/);
    expect(cidrProblem('10.0.0.0/8/8')).toMatch(/not an IP/);
  });
});
