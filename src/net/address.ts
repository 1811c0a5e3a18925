import { BlockList, isIP } from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The peer's address as one key: an IPv4 client on a dual-stack socket (::ffff:a.b.c.d) is the same client as a.b.c.d. */
export function normalizeAddress(address: string): string {
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}

/** Why `cidr` is not an address or `address/prefix`, or undefined when it is one. */
export function cidrProblem(cidr: string): string | undefined {
  const [address = '', prefix, ...extra] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || extra.length > 0) return `${JSON.stringify(cidr)} is not an IP address or CIDR block`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  return bits <= (family === 4 ? 32 : 128) ? undefined : `${JSON.stringify(cidr)} has an invalid prefix length`;
}

/** A set of networks (CIDR blocks or single addresses), matched with net.BlockList. */
export interface AddressSet {
  has(address: string): boolean;
}

/** Assumes entries passed cidrProblem (the config schema checks them); a bare address is its own /32 or /128. */
export function addressSet(cidrs: readonly string[]): AddressSet {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const family = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    list.addSubnet(address, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
  }
  return {
    has(address) {
      const plain = normalizeAddress(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
