import type { Socket } from 'node:net';
import { normalizeAddress } from './address.js';
import type { ProxiedEndpoint } from './proxy-protocol.js';

/** Who a session talks to: the socket's peer, or the client a trusted balancer spoke for (PROXY protocol). */
export interface Peer {
  /** The IP address as one key for limits, throttling and trust: IPv4-mapped IPv6 written as plain IPv4. */
  readonly address: string;
  /** `address:port`, or `[address]:port` for IPv6, for the log. */
  readonly remote: string;
}

/** An IPv6 address in brackets, so that its port cannot be read as one more group of it. */
export const remoteOf = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

export function socketPeer(socket: Socket): Peer {
  return {
    address: normalizeAddress(socket.remoteAddress ?? 'unknown'),
    remote: remoteOf(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0),
  };
}

export function proxiedPeer(client: ProxiedEndpoint): Peer {
  return { address: normalizeAddress(client.address), remote: remoteOf(client.address, client.port) };
}
