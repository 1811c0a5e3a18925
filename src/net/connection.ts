import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { SecureContext } from 'node:tls';
import type { Subscription } from 'rxjs';
import type { Protocol, ServerEvent } from '../events/server-events.js';
import { discardPlaintext, serverHandshake } from '../tls/handshake.js';
import { socketPeer, type Peer } from './peer.js';
import { runStreamSession } from './stream-session.js';
import type { ServedConnection, SessionFactory } from './session-port.js';

export type { ConnectionInfo, Outbound, ServedConnection, SessionFactory, SessionOutput, StartTls } from './session-port.js';
export { isStartTls } from './session-port.js';

export interface TlsOptions {
  /** The certificate in effect at handshake time (it may be reloaded between handshakes). */
  readonly context: () => SecureContext;
  /** A peer that has not completed the handshake by then is dropped (read per handshake: it may be reloaded). */
  readonly handshakeTimeoutMs: () => number;
  /** Implicit TLS (POP3S): the handshake comes before the session; else only after a StartTls. */
  readonly implicit: boolean;
}

export interface ServeOptions {
  readonly protocol: Protocol;
  readonly maxLineOctets: number;
  readonly emit: (event: ServerEvent) => void;
  readonly now?: () => number;
  /** Without it, a StartTls from the session is an error (and the connection is closed). */
  readonly tls?: TlsOptions;
  /** Called with each Buffer the socket has taken: the session's source may reuse its memory. */
  readonly written?: (chunk: Buffer) => void;
}

/** An open connection, as the daemon's registry sees it (for draining on shutdown). */
export interface OpenConnection {
  readonly id: string;
  /** Resolves once the socket is closed, however that happened. */
  readonly closed: Promise<void>;
  /** Drop the connection now (end of the shutdown grace period). */
  destroy(): void;
}

function newConnectionId(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * Runs a protocol session on a socket: lines in, replies out, written with backpressure. The session's
 * completion ends the socket, or, after a StartTls, secures it and runs the next session over it. The
 * socket closing unsubscribes whichever session is running. A failed handshake closes this connection only.
 * `peer` is who the session talks to: the socket's peer unless a trusted balancer said otherwise (PROXY).
 */
export function serveSocket(
  socket: Socket,
  session: SessionFactory<ServedConnection>,
  options: ServeOptions,
  peer: Peer = socketPeer(socket),
): OpenConnection {
  const now = options.now ?? Date.now;
  const { protocol, emit, tls } = options;
  const id = newConnectionId();
  const { address, remote } = peer;
  let running: Subscription | undefined;

  const openedAt = now();
  emit({ type: 'connection-opened', protocol, connection: id, remote, at: openedAt });
  socket.setNoDelay(true);
  // A vanished client shows up as an error then a close; the close does the cleanup.
  socket.on('error', () => undefined);

  const fail = (message: string): void => {
    emit({ type: 'error', protocol, connection: id, message, at: now() });
    socket.destroy();
  };
  const serve = (stream: Socket, factory: SessionFactory<ServedConnection>, secure: boolean): void => {
    // Explicit fields, not a spread of `options`: a spread copy per connection ends up with its own hidden class.
    running = runStreamSession(stream, factory, { id, remote, address, secure }, {
      protocol,
      maxLineOctets: options.maxLineOctets,
      emit,
      now,
      onStartTls: (upgrade) => {
        if (secure) return fail('STLS on a connection that already uses TLS');
        discardPlaintext(stream);
        // An empty write calls back once everything before it (the +OK) has been flushed.
        stream.write('', () => startTls(upgrade.resume));
      },
      onError: fail,
      written: options.written,
    });
  };
  const startTls = (factory: SessionFactory<ServedConnection>): void => {
    if (tls === undefined) return fail('STLS requested but no certificate is configured');
    serverHandshake(socket, tls.context(), tls.handshakeTimeoutMs()).then(
      (secured) => {
        if (!socket.destroyed) serve(secured, factory, true);
      },
      (error: unknown) => fail(`TLS handshake failed: ${(error as Error).message}`),
    );
  };

  if (tls?.implicit) startTls(session);
  else serve(socket, session, false);

  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      running?.unsubscribe();
      const at = now();
      emit({ type: 'connection-closed', protocol, connection: id, at, ms: at - openedAt });
      resolve();
    }),
  );
  return { id, closed, destroy: () => socket.destroy() };
}
