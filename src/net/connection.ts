import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Subscription } from 'rxjs';
import type { Protocol, ServerEvent } from '../events/server-events.js';
import { discardPlaintext, serverHandshake } from '../tls/handshake.js';
import { randomOctets } from '../process/random-pool.js';
import { socketPeer, type Peer } from './peer.js';
import { runStreamSession, type StreamSessionOptions } from './stream-session.js';
import type { ServedConnection, SessionFactory, StartTls } from './session-port.js';

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

/**
 * Told once a connection closes: a function, given the connection (so that one function can serve every
 * connection), or what the connection held, whose `release` frees it (its admission).
 */
export type CloseListener = ((connection: OpenConnection) => void) | { release(): void };

/** An open connection, as the daemon's registry sees it (for draining on shutdown). */
export interface OpenConnection {
  readonly id: string;
  /** Resolves once the socket is closed, however that happened. */
  readonly closed: Promise<void>;
  /** Tells `listener` once the socket is closed (at once if it is): no promise per connection, as `closed` is. */
  onClosed(listener: CloseListener): void;
  /** Drop the connection now (end of the shutdown grace period). */
  destroy(): void;
}

function newConnectionId(): string {
  return randomOctets(6).toString('base64url');
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
  return new ServedSocket(socket, session, options, peer);
}

/** A vanished client shows up as an error then a close; the close does the cleanup. */
const ignoreError = (): void => undefined;

/**
 * One served socket, which is also the options of the stream session running on it. A class rather than
 * closures over shared variables: this is per connection, and thousands stay open and idle.
 */
class ServedSocket implements OpenConnection, StreamSessionOptions {
  readonly id = newConnectionId();
  readonly protocol: Protocol;
  readonly maxLineOctets: number;
  readonly emit: (event: ServerEvent) => void;
  readonly now: () => number;
  readonly written: ((chunk: Buffer) => void) | undefined;
  readonly #socket: Socket;
  readonly #tls: TlsOptions | undefined;
  readonly #peer: Peer;
  readonly #openedAt: number;
  #running: Subscription | undefined;
  /** The stream the running session reads (the socket, or the TLS socket after STLS), and whether it is TLS. */
  #stream: Socket;
  #secure = false;
  /** Told once the socket closes; undefined once it has. Arrays of their exact length: most connections get two. */
  #closeListeners: CloseListener[] | undefined = [];
  #closedPromise: Promise<void> | undefined;

  constructor(socket: Socket, session: SessionFactory<ServedConnection>, options: ServeOptions, peer: Peer) {
    this.#socket = this.#stream = socket;
    this.#tls = options.tls;
    this.#peer = peer;
    this.protocol = options.protocol;
    this.maxLineOctets = options.maxLineOctets;
    this.emit = options.emit;
    this.now = options.now ?? Date.now;
    this.written = options.written;
    this.#openedAt = this.now();
    this.emit({ type: 'connection-opened', protocol: this.protocol, connection: this.id, remote: peer.remote, at: this.#openedAt });
    socket.setNoDelay(true);
    socket.on('error', ignoreError);

    if (this.#tls?.implicit) this.#startTls(session);
    else this.#serve(socket, session, false);

    socket.on('close', this.#socketClosed);
  }

  get closed(): Promise<void> {
    this.#closedPromise ??= new Promise<void>((resolve) => this.onClosed(() => resolve()));
    return this.#closedPromise;
  }

  onClosed(listener: CloseListener): void {
    const listeners = this.#closeListeners;
    if (listeners === undefined) this.#tell(listener);
    else this.#closeListeners = [...listeners, listener];
  }

  #tell(listener: CloseListener): void {
    if (typeof listener === 'function') listener(this);
    else listener.release();
  }

  readonly #socketClosed = (): void => {
    this.#running?.unsubscribe();
    const at = this.now();
    this.emit({ type: 'connection-closed', protocol: this.protocol, connection: this.id, at, ms: at - this.#openedAt });
    const listeners = this.#closeListeners;
    this.#closeListeners = undefined;
    for (const listener of listeners ?? []) this.#tell(listener);
  };

  destroy(): void {
    this.#socket.destroy();
  }

  onStartTls(upgrade: StartTls): void {
    if (this.#secure) return this.onError('STLS on a connection that already uses TLS');
    const stream = this.#stream;
    discardPlaintext(stream);
    // An empty write calls back once everything before it (the +OK) has been flushed.
    stream.write('', () => this.#startTls(upgrade.resume));
  }

  onError(message: string): void {
    this.emit({ type: 'error', protocol: this.protocol, connection: this.id, message, at: this.now() });
    this.#socket.destroy();
  }

  #serve(stream: Socket, factory: SessionFactory<ServedConnection>, secure: boolean): void {
    this.#stream = stream;
    this.#secure = secure;
    const { address, remote } = this.#peer;
    this.#running = runStreamSession(stream, factory, { id: this.id, remote, address, secure }, this);
  }

  #startTls(factory: SessionFactory<ServedConnection>): void {
    const tls = this.#tls;
    if (tls === undefined) return this.onError('STLS requested but no certificate is configured');
    const socket = this.#socket;
    serverHandshake(socket, tls.context(), tls.handshakeTimeoutMs()).then(
      (secured) => {
        if (!socket.destroyed) this.#serve(secured, factory, true);
      },
      (error: unknown) => this.onError(`TLS handshake failed: ${(error as Error).message}`),
    );
  }
}
