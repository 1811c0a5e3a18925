import type { Socket } from 'node:net';
import {
  serveSocket,
  type OpenConnection,
  type ServeOptions,
  type ServedConnection,
  type SessionFactory,
} from './connection.js';
import type { Admission, ConnectionLimiter } from './limiter.js';
import { socketPeer, type Peer } from './peer.js';
import { readProxyHeader, type ProxyPolicy } from './proxy-reader.js';

export interface AcceptOptions extends ServeOptions {
  readonly limiter: ConnectionLimiter;
  /**
   * The line a refused peer gets before the close, e.g. `-ERR [SYS/TEMP] ...`. Absent on implicit TLS:
   * there a refusal is a plain close, as nothing may be sent before the handshake and a handshake for a
   * connection that is turned away anyway would only cost CPU.
   */
  readonly refusal?: (reason: string) => string;
  readonly onRefused: (address: string, reason: string) => void;
  /** Each admitted connection, for draining on shutdown. */
  readonly onServed: (connection: OpenConnection) => void;
  /** Set on a listener behind a load balancer: its PROXY header names the client, limits apply to that. */
  readonly proxy?: ProxyPolicy;
}

/**
 * A listener's socket handler: the PROXY header when configured, then connection limits, before any session
 * (or handshake) starts. A connection whose header is missing or wrong is closed without a word: whatever
 * is at the other end is not speaking POP3 yet.
 */
export function acceptor(session: SessionFactory<ServedConnection>, options: AcceptOptions): (socket: Socket) => void {
  const admit = admitter(session, options);
  const { proxy } = options;
  if (proxy === undefined) return (socket) => admit(socket, socketPeer(socket));
  return (socket) =>
    void readProxyHeader(socket, proxy).then((outcome) => {
      // A peer gone between its header and now would never close again, and hold its admission forever.
      if (outcome.kind === 'peer' && !socket.destroyed) return admit(socket, outcome.peer);
      if (outcome.kind === 'refused') options.onRefused(socketPeer(socket).address, outcome.reason);
      socket.destroy();
    });
}

function admitter(session: SessionFactory<ServedConnection>, options: AcceptOptions): (socket: Socket, peer: Peer) => void {
  const decided = decide(session, options);
  return (socket, peer) => {
    const admission = options.limiter.admit(peer.address);
    if (!(admission instanceof Promise)) return decided(socket, peer, admission);
    // Counted elsewhere: a peer gone while we asked must not keep its place.
    socket.on('error', () => undefined);
    void admission.then((answer) => {
      if (!socket.destroyed) return decided(socket, peer, answer);
      if (answer.admitted) answer.release();
    });
  };
}

function decide(
  session: SessionFactory<ServedConnection>,
  options: AcceptOptions,
): (socket: Socket, peer: Peer, admission: Admission) => void {
  return (socket, peer, admission) => {
    const { address } = peer;
    if (!admission.admitted) {
      options.onRefused(address, admission.reason);
      socket.on('error', () => undefined);
      if (options.refusal === undefined) {
        socket.destroy();
        return;
      }
      // Reading whatever the peer sends keeps the close a FIN rather than a reset that could eat the reply.
      socket.resume();
      socket.end(options.refusal(admission.reason), () => socket.destroy());
      return;
    }
    const connection = serveSocket(socket, session, options, peer);
    // The connection holds its admission: released when it closes, without a closure per connection.
    connection.onClosed(admission);
    options.onServed(connection);
  };
}
