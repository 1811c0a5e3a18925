import type { Socket } from 'node:net';
import { BehaviorSubject, type Subscription } from 'rxjs';
import type { Protocol, ServerEvent } from '../events/server-events.js';
import { readLines } from './lines.js';
import { isStartTls, type Outbound, type ServedConnection, type SessionFactory, type StartTls } from './session-port.js';

export interface StreamSessionOptions {
  readonly protocol: Protocol;
  readonly maxLineOctets: number;
  readonly emit: (event: ServerEvent) => void;
  readonly now: () => number;
  /** The session ended with a StartTls: called once it is torn down, in the same tick as its last write. */
  readonly onStartTls: (upgrade: StartTls) => void;
  readonly onError: (message: string) => void;
  /** Called with each Buffer the socket has taken (written without error): its memory may be reused. */
  readonly written?: (chunk: Buffer) => void;
}

/**
 * One session over one stream (the plain socket, or the TLS socket after STLS): lines in, replies out with
 * backpressure. Its end either ends the stream or, after a StartTls, hands the stream over to the caller.
 */
export function runStreamSession(
  stream: Socket,
  factory: SessionFactory<ServedConnection>,
  peer: Omit<ServedConnection, 'outputPaused$'>,
  options: StreamSessionOptions,
): Subscription {
  const { protocol, emit, now } = options;
  const connection = peer.id;
  // Output backpressure: true while the socket's buffer is full (until 'drain').
  const paused$ = new BehaviorSubject(false);
  // Input backpressure: while replies cannot be written, or the session holds its input, read no more
  // commands, so a client that pipelines without reading cannot make us queue work. Two flags rather
  // than combineLatest: this is per connection, and thousands stay open.
  let held = false;
  let inputPaused = false;
  const reader = readLines(stream, options.maxLineOctets);
  const updateInput = (): void => {
    const paused = paused$.value || held;
    if (paused !== inputPaused) reader.setPaused((inputPaused = paused));
  };
  const setOutputFull = (full: boolean): void => {
    paused$.next(full);
    updateInput();
  };
  const countIn = (chunk: Buffer): void =>
    emit({ type: 'bytes', protocol, connection, direction: 'in', octets: chunk.length, at: now() });
  const drained = (): void => {
    if (paused$.value) setOutputFull(false);
  };
  stream.on('data', countIn);
  stream.on('drain', drained);

  const { written } = options;
  // Writes made in one tick (a reply's status line, body and terminator; pipelined replies) leave in one
  // writev instead of a syscall each, and are counted by one `bytes` event instead of one per chunk.
  let corked = false;
  let corkedOctets = 0;
  const uncork = (): void => {
    corked = false;
    emit({ type: 'bytes', protocol, connection, direction: 'out', octets: corkedOctets, at: now() });
    corkedOctets = 0;
    stream.uncork();
  };
  const write = (chunk: Outbound): void => {
    if (stream.destroyed || stream.writableEnded) return;
    corkedOctets += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    const taken =
      written !== undefined && typeof chunk !== 'string'
        ? (error?: Error | null): void => {
            if (!error) written(chunk);
          }
        : undefined;
    if (!stream.write(chunk, taken) && !paused$.value) setOutputFull(true);
  };

  let upgrade: StartTls | undefined;
  const holdInput = (hold: boolean): void => {
    held = hold;
    updateInput();
  };
  const connectionInfo: ServedConnection = {
    id: peer.id,
    remote: peer.remote,
    address: peer.address,
    secure: peer.secure,
    outputPaused$: paused$.asObservable(),
    holdInput,
  };
  const subscription = factory(reader.lines$, connectionInfo).subscribe({
    next: (output) => {
      if (isStartTls(output)) upgrade = output;
      else write(output);
    },
    complete: () => {
      if (upgrade === undefined) endThenDrop(stream);
    },
    error: (error: unknown) => options.onError(String((error as Error)?.message ?? error)),
  });
  // Runs after the session's own teardown, so the line reader is detached before the stream is handed over.
  subscription.add(() => {
    stream.off('data', countIn);
    stream.off('drain', drained);
    paused$.complete();
    if (upgrade !== undefined) options.onStartTls(upgrade);
  });
  return subscription;
}

/** How long a peer may go on (sending, or just not closing) once the session is over and flushed. */
const LINGER_MS = 5_000;

/**
 * Ends our side; once the last reply is flushed, a peer that neither closes nor stops sending (an endless
 * line, bytes after QUIT) is dropped after LINGER_MS instead of holding the socket forever.
 */
function endThenDrop(stream: Socket): void {
  stream.end(() => setTimeout(() => stream.destroy(), LINGER_MS).unref());
}
