import type { Socket } from 'node:net';
import type { AddressSet } from './address.js';
import { proxiedPeer, socketPeer, type Peer } from './peer.js';
import { proxyHeaderReader } from './proxy-protocol.js';

/** A listener behind a load balancer (config `pop3.proxyProtocol`, `proxy.trustedProxies`). */
export interface ProxyPolicy {
  /** The balancers: only they may say who the client is. */
  readonly trusted: AddressSet;
  /** How long a balancer has to send its header, read per connection. */
  readonly timeoutMs: () => number;
}

export type ProxyOutcome =
  | { readonly kind: 'peer'; readonly peer: Peer }
  | { readonly kind: 'refused'; readonly reason: string }
  /** Closed before a header was complete, e.g. a balancer's plain TCP health check: nothing worth a log line. */
  | { readonly kind: 'gone' };

/**
 * Reads the PROXY header off an accepted socket, before anything else reads it (the line reader, the TLS
 * handshake). A peer that is not a trusted balancer is refused unread: on such a listener a client's own
 * header could lie about its address, and one without a header cannot be told apart from a slow balancer.
 * Octets after the header are put back into the socket, so the session reads them first. Never rejects.
 */
export function readProxyHeader(socket: Socket, policy: ProxyPolicy): Promise<ProxyOutcome> {
  const own = socketPeer(socket);
  if (!policy.trusted.has(own.address)) return Promise.resolve({ kind: 'refused', reason: 'not a trusted proxy' });
  // A reset shows up as an error then a close; the close settles.
  socket.on('error', () => undefined);
  const feed = proxyHeaderReader();
  return new Promise((resolve) => {
    const settle = (outcome: ProxyOutcome): void => {
      clearTimeout(timer);
      socket.off('data', received).off('close', closed);
      resolve(outcome);
    };
    const received = (chunk: Buffer): void => {
      const step = feed(chunk);
      if (step.kind === 'incomplete') return;
      socket.pause();
      if (step.kind === 'invalid') return settle({ kind: 'refused', reason: `invalid PROXY header: ${step.reason}` });
      if (step.rest.length > 0) socket.unshift(step.rest);
      // LOCAL/UNKNOWN: the balancer's own connection (a health check), so its own address is the right one.
      settle({ kind: 'peer', peer: step.header.kind === 'proxied' ? proxiedPeer(step.header.source) : own });
    };
    const closed = (): void => settle({ kind: 'gone' });
    const timer = setTimeout(() => settle({ kind: 'refused', reason: 'no PROXY header in time' }), policy.timeoutMs());
    socket.on('data', received).once('close', closed);
  });
}
