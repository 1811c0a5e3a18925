import type { Readable } from 'node:stream';
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import split2 from 'split2';
import { LineGuard } from './line-guard.js';

/** A received line, or the fact that a line was longer than the protocol allows. */
export type CommandLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too-long' };

/**
 * What a session reads: lines, and last of all, when a too-long line goes on past ENDLESS_LINE_OCTETS
 * without an end, `endless`: the session answers it and ends, as the peer is no longer read.
 */
export type InputLine = CommandLine | { readonly kind: 'endless' };

/** An unterminated line this long closes the connection: no client sends one by mistake. */
export const ENDLESS_LINE_OCTETS = 64 * 1024;
/** The reply text (after `-ERR ` or `->FAIL: `) to an endless line, before the close. */
export const ENDLESS_LINE_REPLY = 'Line too long and never ended; closing the connection';

/** A peer's input as lines, and the tap that stops them. */
export interface LineReader {
  readonly lines$: Observable<InputLine>;
  /** While paused, no lines are delivered and the peer is not read from (TCP backpressure). */
  setPaused(paused: boolean): void;
}

/**
 * The peer's input as lines (CRLF or bare LF), each at most `maxOctets` octets before its line end; a
 * longer one is reported as soon as it passes the limit. Completes when the peer closes or the stream
 * fails (to a session both mean "the client is gone"), or after an `endless` line, when reading stops.
 *
 * One 'data' listener feeds the splitter directly rather than through `pipe()`, and pausing is a method
 * rather than a subscription: a server holds thousands of idle connections, and the pipes' listeners, a
 * guard stream and a flow-control subject per connection added up. For the same reason the reader is one
 * object, and the listeners on the input and the splitter are functions shared by every connection, which
 * find their reader on the emitter they are called on.
 */
export function readLines(input: Readable, maxOctets: number): LineReader {
  return new SplitLines(input, maxOctets);
}

/** The reader that a shared listener works for, on the emitter it listens to. */
const READER = Symbol('line reader');
type Tagged<E> = E & { [READER]?: SplitLines };
type Splitter = Tagged<ReturnType<typeof split2>>;

/** Splits on CRLF or LF (not global, so one expression serves every splitter). */
const LINE_ENDS = /\r?\n/;

/** split2's mapper, called as a method of the splitter. */
function toLine(this: Splitter, text: string): CommandLine {
  // Decoding may widen invalid bytes (U+FFFD is 3 octets) but never narrows them, so a byte
  // count of the decoded line is a safe test for "longer than allowed".
  return Buffer.byteLength(text) > this[READER]!.maxOctets ? TOO_LONG : { kind: 'line', text };
}
const TOO_LONG: CommandLine = { kind: 'too-long' };

function onInputData(this: Tagged<Readable>, chunk: Buffer): void {
  this[READER]?.feed(chunk);
}
function onInputEnd(this: Tagged<Readable>): void {
  this[READER]?.endSplitter();
}
function onInputGone(this: Tagged<Readable>): void {
  this[READER]?.complete();
}
function onLine(this: Splitter, line: CommandLine): void {
  this[READER]?.deliver(line);
}
function onSplitterEnd(this: Splitter): void {
  this[READER]?.splitterEnded();
}
function onSplitterError(this: Splitter): void {
  this[READER]?.complete();
}

class SplitLines implements LineReader, Unsubscribable {
  readonly lines$: Observable<InputLine>;
  readonly maxOctets: number;
  readonly #input: Tagged<Readable>;
  #splitter: Splitter | undefined;
  #guard: LineGuard | undefined;
  #subscriber: Subscriber<InputLine> | undefined;
  #paused = false;

  constructor(input: Readable, maxOctets: number) {
    this.#input = input;
    this.maxOctets = maxOctets;
    this.lines$ = new Observable<InputLine>((subscriber) => this.#start(subscriber));
  }

  setPaused(paused: boolean): void {
    this.#paused = paused;
    if (paused) {
      this.#splitter?.pause();
      this.#input.pause();
    } else {
      this.#splitter?.resume();
      this.#input.resume();
    }
  }

  feed(chunk: Buffer): void {
    const guard = this.#guard!;
    const lines = this.#splitter!;
    const complete = guard.feed(chunk);
    if (complete !== undefined) lines.write(complete);
    if (guard.endless) {
      // Read no more; lines still in the splitter go first, then its end reports the endless line.
      this.#input.off('data', onInputData);
      void lines.end();
    }
  }

  /** Lines still in the splitter (held back by a pause) are delivered before the end. */
  endSplitter(): void {
    const lines = this.#splitter;
    if (lines !== undefined && !lines.writableEnded) void lines.end();
  }

  deliver(line: CommandLine): void {
    this.#subscriber?.next(line);
  }

  splitterEnded(): void {
    if (this.#guard?.endless) this.#subscriber?.next({ kind: 'endless' });
    this.complete();
  }

  complete(): void {
    this.#subscriber?.complete();
  }

  #start(subscriber: Subscriber<InputLine>): Unsubscribable {
    const input = this.#input;
    const lines: Splitter = split2(LINE_ENDS, toLine);
    lines[READER] = this;
    input[READER] = this;
    this.#splitter = lines;
    this.#guard = new LineGuard(this.maxOctets, ENDLESS_LINE_OCTETS);
    this.#subscriber = subscriber;
    lines.on('data', onLine);
    lines.on('end', onSplitterEnd);
    lines.on('error', onSplitterError);
    input.on('data', onInputData);
    input.on('end', onInputEnd);
    input.on('error', onInputGone);
    input.on('close', onInputGone);
    // Also resumes a socket left paused by whoever read it first (the PROXY header reader).
    this.setPaused(this.#paused);
    // The reader is its own teardown: no closure per connection.
    return this;
  }

  /** The teardown of the subscription to `lines$`: detaches from the input and drops the splitter. */
  unsubscribe(): void {
    const input = this.#input;
    const lines = this.#splitter;
    this.#splitter = undefined;
    this.#subscriber = undefined;
    if (input[READER] === this) input[READER] = undefined;
    input.off('data', onInputData);
    input.off('end', onInputEnd);
    input.off('error', onInputGone);
    input.off('close', onInputGone);
    if (lines !== undefined) {
      lines[READER] = undefined;
      lines.destroy();
    }
  }
}
