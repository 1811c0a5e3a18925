import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { Protocol, ServerEvent } from '../metrics/events.js';
import { linesOf, type InputLine } from './lines.js';

export type Outbound = Buffer | string;

/** What a protocol session may know of its connection. */
export interface ConnectionInfo {
  readonly id: string;
  readonly remote: string;
  /** True while the socket's buffer is full: sources of large replies pause until it drains. */
  readonly outputPaused$: Observable<boolean>;
}

export type SessionFactory = (lines$: Observable<InputLine>, connection: ConnectionInfo) => Observable<Outbound>;

export interface ServeOptions {
  readonly protocol: Protocol;
  readonly maxLineOctets: number;
  readonly emit: (event: ServerEvent) => void;
  readonly now?: () => number;
}

/** A live connection, as the daemon's registry sees it (for draining on shutdown). */
export interface LiveConnection {
  readonly id: string;
  /** Resolves once the socket is closed, however that happened. */
  readonly closed: Promise<void>;
  /** Drop the connection now (end of the shutdown grace period). */
  destroy(): void;
}

export function newConnectionId(): string {
  return randomBytes(6).toString('base64url');
}

/**
 * Runs one protocol session on a socket: lines in, replies out, written with backpressure.
 * The session's completion ends the socket; the socket closing unsubscribes the session.
 */
export function serveSocket(socket: Socket, session: SessionFactory, options: ServeOptions): LiveConnection {
  const now = options.now ?? Date.now;
  const id = newConnectionId();
  const remote = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
  const { protocol, emit } = options;
  const paused$ = new BehaviorSubject(false);

  emit({ type: 'connection-opened', protocol, connection: id, remote, at: now() });
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) =>
    emit({ type: 'bytes', protocol, connection: id, direction: 'in', octets: chunk.length, at: now() }),
  );
  socket.on('drain', () => paused$.next(false));
  // A vanished client shows up as an error then a close; the close does the cleanup.
  socket.on('error', () => undefined);

  const write = (chunk: Outbound): void => {
    if (socket.destroyed || socket.writableEnded) return;
    const octets = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    emit({ type: 'bytes', protocol, connection: id, direction: 'out', octets, at: now() });
    if (!socket.write(chunk)) paused$.next(true);
  };

  const subscription: Subscription = session(linesOf(socket, options.maxLineOctets), {
    id,
    remote,
    outputPaused$: paused$.asObservable(),
  }).subscribe({
    next: write,
    complete: () => socket.end(),
    error: (error: unknown) => {
      emit({ type: 'error', protocol, connection: id, message: String((error as Error)?.message ?? error), at: now() });
      socket.destroy();
    },
  });

  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      subscription.unsubscribe();
      paused$.complete();
      emit({ type: 'connection-closed', protocol, connection: id, at: now() });
      resolve();
    }),
  );
  return { id, closed, destroy: () => socket.destroy() };
}
