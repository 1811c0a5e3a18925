import type { Socket } from 'node:net';
import { normalizeAddress } from './address.js';
import {
  serveSocket,
  type LiveConnection,
  type ServeOptions,
  type ServedConnection,
  type SessionFactory,
} from './connection.js';
import type { ConnectionLimiter } from './limiter.js';

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
  readonly onServed: (connection: LiveConnection) => void;
}

/** A listener's socket handler: connection limits first, before any session (or handshake) starts. */
export function acceptor(session: SessionFactory<ServedConnection>, options: AcceptOptions): (socket: Socket) => void {
  return (socket) => {
    const address = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const admission = options.limiter.admit(address);
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
    const connection = serveSocket(socket, session, options);
    void connection.closed.then(() => admission.release());
    options.onServed(connection);
  };
}
