import type { Socket } from 'node:net';
import { normalizeAddress } from './address.js';
import type { ProxiedEndpoint } from './proxy-protocol.js';

/** Who a session talks to: the socket's peer, or the client a trusted balancer spoke for (PROXY protocol). */
export interface Peer {
  /** The IP address as one key for limits, throttling and trust: IPv4-mapped IPv6 written as plain IPv4. */
  readonly address: string;
  /** `address:port`, for the log. */
  readonly remote: string;
}

export function socketPeer(socket: Socket): Peer {
  return {
    address: normalizeAddress(socket.remoteAddress ?? 'unknown'),
    remote: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`,
  };
}

export function proxiedPeer(client: ProxiedEndpoint): Peer {
  return { address: normalizeAddress(client.address), remote: `${client.address}:${client.port}` };
}
