import type { Socket } from 'node:net';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { CompactSubscriber } from '../session/compact-subscriber.js';
import type { Protocol, ServerEvent } from '../events/server-events.js';
import { readLines, type LineReader } from './lines.js';
import {
  isStartTls,
  type Outbound,
  type ServedConnection,
  type SessionFactory,
  type SessionOutput,
  type StartTls,
} from './session-port.js';

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
  return new StreamSession(stream, peer, options).run(factory);
}

/**
 * The connection as its session sees it, and the subscriber to the session's output. A class rather than a
 * dozen closures over shared variables, and a subscriber itself rather than an observer that rxjs would
 * wrap: this is per connection, and thousands stay open and idle.
 */
class StreamSession extends CompactSubscriber<SessionOutput> implements ServedConnection {
  readonly id: string;
  readonly remote: string;
  readonly address: string;
  readonly secure: boolean;
  readonly #stream: Socket;
  readonly #options: StreamSessionOptions;
  readonly #reader: LineReader;
  // Output backpressure: true while the socket's buffer is full (until 'drain'). The subject is made for
  // the first reader (a message being sent): an idle session needs only the flag.
  #outputFull = false;
  #paused$: BehaviorSubject<boolean> | undefined;
  // Input backpressure: while replies cannot be written, or the session holds its input, read no more
  // commands, so a client that pipelines without reading cannot make us queue work. Two flags rather
  // than combineLatest: this is per connection, and thousands stay open.
  #held = false;
  #inputPaused = false;
  // Writes made in one tick (a reply's status line, body and terminator; pipelined replies) leave in one
  // writev instead of a syscall each, and are counted by one `bytes` event instead of one per chunk.
  #corked = false;
  #corkedOctets = 0;
  #unreportedIn = 0;
  #upgrade: StartTls | undefined;

  constructor(stream: Socket, peer: Omit<ServedConnection, 'outputPaused$'>, options: StreamSessionOptions) {
    super();
    this.id = peer.id;
    this.remote = peer.remote;
    this.address = peer.address;
    this.secure = peer.secure;
    this.#stream = stream;
    this.#options = options;
    this.#reader = readLines(stream, options.maxLineOctets);
  }

  outputFull(): boolean {
    return this.#outputFull;
  }

  get outputPaused$(): Observable<boolean> {
    this.#paused$ ??= new BehaviorSubject(this.#outputFull);
    return this.#paused$.asObservable();
  }

  run(factory: SessionFactory<ServedConnection>): Subscription {
    const stream = this.#stream;
    stream.on('data', this.#countIn);
    stream.on('drain', this.#drained);
    return factory(this.#reader.lines$, this).subscribe(this);
  }

  override unsubscribe(): void {
    if (this.closed) return;
    super.unsubscribe();
    // After the session's own teardown, so the line reader is detached before the stream is handed over.
    const stream = this.#stream;
    stream.off('data', this.#countIn);
    this.#reportIn();
    stream.off('drain', this.#drained);
    this.#paused$?.complete();
    if (this.#upgrade !== undefined) this.#options.onStartTls(this.#upgrade);
  }

  holdInput(hold: boolean): void {
    this.#held = hold;
    this.#updateInput();
  }

  protected override _next(output: SessionOutput): void {
    if (isStartTls(output)) this.#upgrade = output;
    else this.#write(output);
  }

  protected override _complete(): void {
    if (this.#upgrade === undefined) endThenDrop(this.#stream);
    this.unsubscribe();
  }

  protected override _error(error: unknown): void {
    this.#options.onError(String((error as Error)?.message ?? error));
    this.unsubscribe();
  }

  // Listeners must be functions; these two are all the closures a connection keeps.
  // Input octets are reported with the next output (every command has a reply) or at the end: one
  // `bytes` event per exchange, both ways, instead of one per socket read and one per reply.
  readonly #countIn = (chunk: Buffer): void => {
    this.#unreportedIn += chunk.length;
  };
  readonly #drained = (): void => {
    if (this.#outputFull) this.#setOutputFull(false);
  };

  #reportIn(): void {
    if (this.#unreportedIn > 0) this.#emitBytes(0);
  }

  /** Reports `sent` octets with those received since the last report. */
  #emitBytes(sent: number): void {
    const { protocol, emit, now } = this.#options;
    const received = this.#unreportedIn;
    this.#unreportedIn = 0;
    emit({ type: 'bytes', protocol, connection: this.id, received, sent, at: now() });
  }

  #updateInput(): void {
    const paused = this.#outputFull || this.#held;
    if (paused !== this.#inputPaused) this.#reader.setPaused((this.#inputPaused = paused));
  }

  #setOutputFull(full: boolean): void {
    this.#outputFull = full;
    this.#paused$?.next(full);
    this.#updateInput();
  }

  static #uncork(session: StreamSession): void {
    session.#corked = false;
    session.#emitBytes(session.#corkedOctets);
    session.#corkedOctets = 0;
    session.#stream.uncork();
  }

  #write(chunk: Outbound): void {
    const stream = this.#stream;
    if (stream.destroyed || stream.writableEnded) return;
    this.#corkedOctets += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (!this.#corked) {
      this.#corked = true;
      stream.cork();
      process.nextTick(StreamSession.#uncork, this);
    }
    const { written } = this.#options;
    const taken =
      written !== undefined && typeof chunk !== 'string'
        ? (error?: Error | null): void => {
            if (!error) written(chunk);
          }
        : undefined;
    if (!stream.write(chunk, taken) && !this.#outputFull) this.#setOutputFull(true);
  }
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
