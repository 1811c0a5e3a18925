import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import split2 from 'split2';
import { lineGuard } from './line-guard.js';

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
 * guard stream and a flow-control subject per connection added up.
 */
export function readLines(input: Readable, maxOctets: number): LineReader {
  let splitter: ReturnType<typeof split2> | undefined;
  let paused = false;
  const setPaused = (next: boolean): void => {
    paused = next;
    if (next) {
      splitter?.pause();
      input.pause();
    } else {
      splitter?.resume();
      input.resume();
    }
  };
  const lines$ = new Observable<InputLine>((subscriber) => {
    let endless = false;
    const bound = lineGuard(maxOctets, ENDLESS_LINE_OCTETS, () => (endless = true));
    // Decoding may widen invalid bytes (U+FFFD is 3 octets) but never narrows them, so a byte
    // count of the decoded line is a safe test for "longer than allowed".
    const toLine = (text: string): CommandLine =>
      Buffer.byteLength(text) > maxOctets ? { kind: 'too-long' } : { kind: 'line', text };
    const lines = split2(/\r?\n/, toLine);
    splitter = lines;
    const done = (): void => subscriber.complete();
    const feed = (chunk: Buffer): void => {
      const complete = bound(chunk);
      if (complete !== undefined) lines.write(complete);
      if (endless) {
        // Read no more; lines still in the splitter go first, then its end reports the endless line.
        input.off('data', feed);
        void lines.end();
      }
    };
    // Lines still in the splitter (held back by a pause) are delivered before the end.
    const ended = (): void => {
      if (!lines.writableEnded) void lines.end();
    };
    lines.on('data', (line: CommandLine) => subscriber.next(line));
    lines.on('end', () => {
      if (endless) subscriber.next({ kind: 'endless' });
      done();
    });
    lines.on('error', done);
    input.on('data', feed);
    input.on('end', ended);
    input.on('error', done);
    input.on('close', done);
    // Also resumes a socket left paused by whoever read it first (the PROXY header reader).
    setPaused(paused);
    return () => {
      splitter = undefined;
      input.off('data', feed);
      input.off('end', ended);
      input.off('error', done);
      input.off('close', done);
      lines.destroy();
    };
  });
  return { lines$, setPaused };
}
