import { isIP } from 'node:net';

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

/** A set of networks (CIDR blocks or single addresses), matched as net.BlockList matches them. */
export interface AddressSet {
  has(address: string): boolean;
}

/** A network: its first 16 octets (IPv4 as ::ffff:a.b.c.d, as BlockList compares families) and prefix bits. */
interface Network {
  readonly octets: Uint8Array;
  readonly bits: number;
}

/**
 * Assumes entries passed cidrProblem (the config schema checks them); a bare address is its own /32 or /128.
 * Matched here rather than with net.BlockList, whose check builds a native SocketAddress per call: tens of
 * microseconds, twice per connection. The tests hold this to BlockList's answers.
 */
export function addressSet(cidrs: readonly string[]): AddressSet {
  const networks: Network[] = cidrs.map((cidr) => {
    const [address = '', prefix] = cidr.split('/');
    const v4 = isIP(address) === 4;
    const bits = prefix === undefined ? 128 : Number(prefix) + (v4 ? 96 : 0);
    return { octets: octetsOf(address)!, bits };
  });
  return {
    has(address) {
      if (networks.length === 0) return false;
      const octets = octetsOf(address);
      return octets !== undefined && networks.some((network) => within(octets, network));
    },
  };
}

function within(octets: Uint8Array, { octets: network, bits }: Network): boolean {
  const whole = bits >>> 3;
  for (let i = 0; i < whole; i += 1) if (octets[i] !== network[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (octets[whole]! & mask) === (network[whole]! & mask);
}

/** An address as 16 octets, IPv4 mapped into IPv6 (a zone index is ignored), or undefined if it is none. */
export function octetsOf(text: string): Uint8Array | undefined {
  const family = isIP(text);
  if (family === 0) return undefined;
  const out = new Uint8Array(16);
  if (family === 4) {
    out[10] = 0xff;
    out[11] = 0xff;
    putIPv4(out, 12, text);
    return out;
  }
  const zone = text.indexOf('%');
  const plain = zone === -1 ? text : text.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) is the last two groups.
  const dot = plain.indexOf('.');
  const lastColon = dot === -1 ? -1 : plain.lastIndexOf(':', dot);
  const groups = dot === -1 ? plain : plain.slice(0, lastColon + 1) + '0:0';
  const [head = '', tail] = groups.split('::');
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = words(head);
  const back = tail === undefined ? [] : words(tail);
  back.forEach((word, i) => put16(out, 16 - 2 * (back.length - i), word));
  front.forEach((word, i) => put16(out, 2 * i, word));
  if (dot !== -1) putIPv4(out, 12, plain.slice(lastColon + 1));
  return out;
}

function put16(out: Uint8Array, at: number, word: number): void {
  out[at] = word >>> 8;
  out[at + 1] = word & 0xff;
}

function putIPv4(out: Uint8Array, at: number, dotted: string): void {
  const parts = dotted.split('.');
  for (let i = 0; i < 4; i += 1) out[at + i] = Number(parts[i]);
}
