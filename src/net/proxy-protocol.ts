import { isIPv4, isIPv6, SocketAddress } from 'node:net';

/*
 * The PROXY protocol (HAProxy, versions 1 and 2): a load balancer's first octets on a connection say whom
 * it accepted the connection from. Pure and incremental: `parseProxyHeader` looks at what has arrived so far
 * and says "need more", "here is the header and its length", or "not a valid header". Never throws.
 * https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt
 */

/** One end of the proxied connection, the address in canonical text (IPv4 dotted, IPv6 as inet_ntop writes it). */
export interface ProxiedEndpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * What a header says: the client's endpoint, or (v1 UNKNOWN, v2 LOCAL, v2 AF_UNSPEC or AF_UNIX) that the
 * connection is the balancer's own, e.g. a health check, so the socket's peer address is the one to use.
 */
export type ProxyHeader =
  | { readonly kind: 'proxied'; readonly version: 1 | 2; readonly source: ProxiedEndpoint; readonly destination: ProxiedEndpoint }
  | { readonly kind: 'local'; readonly version: 1 | 2 };

export type ProxyParse =
  | { readonly kind: 'incomplete' }
  /** `length` octets are the header; whatever follows them belongs to the session. */
  | { readonly kind: 'header'; readonly header: ProxyHeader; readonly length: number }
  | { readonly kind: 'invalid'; readonly reason: string };

/** v1: the longest line, `PROXY UNKNOWN` with both IPv6 addresses and ports included, CRLF included. */
export const V1_MAX_OCTETS = 107;
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
export const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
const V2_FIXED_OCTETS = 16;
/** Addresses plus TLVs (send-proxy-v2 adds a few, the SSL ones the longest); more is no balancer we know. */
export const V2_MAX_PAYLOAD = 1024;
/** What a reader may have to hold before it can decide. */
export const MAX_HEADER_OCTETS = V2_FIXED_OCTETS + V2_MAX_PAYLOAD;

const INCOMPLETE: ProxyParse = { kind: 'incomplete' };
const invalid = (reason: string): ProxyParse => ({ kind: 'invalid', reason });

/** Parses the header at the start of `buffer` (everything received so far). */
export function parseProxyHeader(buffer: Buffer): ProxyParse {
  if (buffer.length === 0) return INCOMPLETE;
  if (buffer[0] === V1_PREFIX[0]) return parseV1(buffer);
  if (buffer[0] === V2_SIGNATURE[0]) return parseV2(buffer);
  return invalid('not a PROXY protocol header');
}

/** True when `buffer` agrees with `prefix` as far as either goes. */
const startsLike = (buffer: Buffer, prefix: Buffer): boolean => {
  const n = Math.min(buffer.length, prefix.length);
  return buffer.subarray(0, n).equals(prefix.subarray(0, n));
};

const CR = 0x0d;
const LF = 0x0a;

function parseV1(buffer: Buffer): ProxyParse {
  if (!startsLike(buffer, V1_PREFIX)) return invalid('not a PROXY protocol header');
  // The CR can be at most the 106th octet, its LF the 107th.
  const lastCr = V1_MAX_OCTETS - 2;
  for (let i = 0; i < Math.min(buffer.length, lastCr + 1); i++) {
    const octet = buffer[i]!;
    if (octet === CR) {
      if (i + 1 === buffer.length) return INCOMPLETE;
      if (buffer[i + 1] !== LF) return invalid('v1 header: CR without LF');
      return v1Line(buffer.toString('latin1', 0, i), i + 2);
    }
    if (octet < 0x20 || octet > 0x7e) return invalid('v1 header: not printable ASCII');
  }
  return buffer.length > lastCr ? invalid(`v1 header longer than ${V1_MAX_OCTETS} octets`) : INCOMPLETE;
}

function v1Line(line: string, length: number): ProxyParse {
  const [, protocol, ...fields] = line.split(' ');
  // UNKNOWN: the receiver ignores whatever else is on the line.
  if (protocol === 'UNKNOWN') return { kind: 'header', header: { kind: 'local', version: 1 }, length };
  if (protocol !== 'TCP4' && protocol !== 'TCP6') return invalid('v1 header: protocol must be TCP4, TCP6 or UNKNOWN');
  if (fields.length !== 4) return invalid('v1 header: expected source, destination and both ports');
  const [sourceAddress = '', destinationAddress = '', sourcePort = '', destinationPort = ''] = fields;
  const canonical = protocol === 'TCP4' ? ipv4Text : ipv6Text;
  const source = endpoint(canonical(sourceAddress), decimalPort(sourcePort));
  const destination = endpoint(canonical(destinationAddress), decimalPort(destinationPort));
  if (source === undefined || destination === undefined) return invalid(`v1 header: bad ${protocol} address or port`);
  return { kind: 'header', header: { kind: 'proxied', version: 1, source, destination }, length };
}

const endpoint = (address: string | undefined, port: number | undefined): ProxiedEndpoint | undefined =>
  address === undefined || port === undefined ? undefined : { address, port };

/** 0 to 65535 in decimal, without leading zeros (the spec's canonical form). */
const decimalPort = (text: string): number | undefined =>
  /^(0|[1-9]\d{0,4})$/.test(text) && Number(text) <= 65535 ? Number(text) : undefined;

/** Dotted quad without leading zeros (net.isIPv4 is that strict), so one address has one spelling. */
const ipv4Text = (text: string): string | undefined => (isIPv4(text) ? text : undefined);

/** One spelling per IPv6 address (limits and throttling key on it); zone indexes are not for remote peers. */
function ipv6Text(text: string): string | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  try {
    return new SocketAddress({ address: text, family: 'ipv6' }).address;
  } catch {
    return undefined;
  }
}

const V2_LOCAL = 0x20;
const V2_PROXY = 0x21;
/** Address family (high nibble) and transport (low nibble) octets this server accepts. */
const V2_UNSPEC = 0x00;
const V2_TCP4 = 0x11;
const V2_TCP6 = 0x21;
const V2_UNIX_STREAM = 0x31;

function parseV2(buffer: Buffer): ProxyParse {
  if (!startsLike(buffer, V2_SIGNATURE)) return invalid('not a PROXY protocol header');
  if (buffer.length < V2_FIXED_OCTETS) return INCOMPLETE;
  const command = buffer[12]!;
  if (command !== V2_LOCAL && command !== V2_PROXY) return invalid('v2 header: unknown version or command');
  const payload = buffer.readUInt16BE(14);
  if (payload > V2_MAX_PAYLOAD) return invalid(`v2 header: ${payload} octets of addresses and TLVs is over ${V2_MAX_PAYLOAD}`);
  const length = V2_FIXED_OCTETS + payload;
  if (buffer.length < length) return INCOMPLETE;
  const local: ProxyParse = { kind: 'header', header: { kind: 'local', version: 2 }, length };
  // LOCAL: the balancer's own connection; its address block, if any, is to be ignored.
  if (command === V2_LOCAL) return local;
  const block = buffer.subarray(V2_FIXED_OCTETS, length);
  switch (buffer[13]) {
    case V2_UNSPEC:
    case V2_UNIX_STREAM:
      return local;
    case V2_TCP4:
      return v2Addresses(block, 4, length);
    case V2_TCP6:
      return v2Addresses(block, 16, length);
    default:
      return invalid('v2 header: unsupported address family or transport');
  }
}

/** Source address, destination address, source port, destination port; TLVs after them are ignored. */
function v2Addresses(block: Buffer, size: 4 | 16, length: number): ProxyParse {
  if (block.length < 2 * size + 4) return invalid('v2 header: address block too short');
  const text = size === 4 ? ipv4Bytes : ipv6Bytes;
  const source = endpoint(text(block.subarray(0, size)), block.readUInt16BE(2 * size));
  const destination = endpoint(text(block.subarray(size, 2 * size)), block.readUInt16BE(2 * size + 2));
  if (source === undefined || destination === undefined) return invalid('v2 header: bad address');
  return { kind: 'header', header: { kind: 'proxied', version: 2, source, destination }, length };
}

const ipv4Bytes = (bytes: Buffer): string => [...bytes].join('.');

function ipv6Bytes(bytes: Buffer): string | undefined {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(2 * i).toString(16));
  return ipv6Text(groups.join(':'));
}

export type ReaderStep =
  | { readonly kind: 'incomplete' }
  /** `rest`: the octets after the header, from the chunk that completed it. */
  | { readonly kind: 'header'; readonly header: ProxyHeader; readonly rest: Buffer }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Chunks in as they arrive, a decision out once there is one. Holds fewer than MAX_HEADER_OCTETS octets
 * plus the last chunk: by then every header is complete or has been found invalid. Use it for one header.
 */
export function proxyHeaderReader(): (chunk: Buffer) => ReaderStep {
  let received: Buffer = Buffer.alloc(0);
  return (chunk) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const parsed = parseProxyHeader(received);
    if (parsed.kind !== 'header') return parsed;
    return { kind: 'header', header: parsed.header, rest: received.subarray(parsed.length) };
  };
}
