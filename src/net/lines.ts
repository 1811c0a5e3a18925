import type { Readable } from 'node:stream';
import { NEVER, Observable } from 'rxjs';
import split2 from 'split2';
import { lineGuard } from './line-guard.js';

/** A received line, or the fact that a line was longer than the protocol allows. */
export type InputLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too-long' };

/**
 * The peer's input as lines (CRLF or bare LF), each at most `maxOctets` octets before its line end.
 * Completes when the peer closes or the stream fails: to a session both mean "the client is gone".
 * While `paused$` says true, no lines are delivered and the peer is not read from (TCP backpressure).
 *
 * One 'data' listener feeds the splitter directly rather than through `pipe()`: a server holds thousands
 * of idle connections, and the pipes' listeners and a guard stream per connection added up.
 */
export function linesOf(input: Readable, maxOctets: number, paused$: Observable<boolean> = NEVER): Observable<InputLine> {
  return new Observable<InputLine>((subscriber) => {
    const bound = lineGuard(maxOctets);
    // Decoding may widen invalid bytes (U+FFFD is 3 octets) but never narrows them, so a byte
    // count of the decoded line is a safe test for "longer than allowed".
    const toLine = (text: string): InputLine =>
      Buffer.byteLength(text) > maxOctets ? { kind: 'too-long' } : { kind: 'line', text };
    const splitter = split2(/\r?\n/, toLine);
    const done = (): void => subscriber.complete();
    const feed = (chunk: Buffer): void => {
      const lines = bound(chunk);
      if (lines !== undefined) splitter.write(lines);
    };
    // Lines still in the splitter (held back by a pause) are delivered before the end.
    const ended = (): void => void splitter.end();
    splitter.on('data', (line: InputLine) => subscriber.next(line));
    splitter.on('end', done);
    splitter.on('error', done);
    input.on('data', feed);
    input.on('end', ended);
    input.on('error', done);
    input.on('close', done);
    const flow = paused$.subscribe((paused) => {
      if (paused) {
        splitter.pause();
        input.pause();
      } else {
        splitter.resume();
        input.resume();
      }
    });
    return () => {
      flow.unsubscribe();
      input.off('data', feed);
      input.off('end', ended);
      input.off('error', done);
      input.off('close', done);
      splitter.destroy();
    };
  });
}
