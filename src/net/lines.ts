import type { Readable } from 'node:stream';
import { NEVER, Observable } from 'rxjs';
import split2 from 'split2';
import { lineGuard } from './line-guard.js';

/** A received line, or the fact that a line was longer than the protocol allows. */
export type InputLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'too-long' };

/**
 * The peer's input as lines (CRLF or bare LF), each at most `maxOctets` octets before its line end.
 * Completes when the peer closes or the stream fails: to a session both mean "the client is gone".
 * While `paused$` says true, no lines are delivered: the splitter's buffer fills, and the pipes'
 * own backpressure stops reading from the peer.
 */
export function linesOf(input: Readable, maxOctets: number, paused$: Observable<boolean> = NEVER): Observable<InputLine> {
  return new Observable<InputLine>((subscriber) => {
    const guard = lineGuard(maxOctets);
    // Decoding may widen invalid bytes (U+FFFD is 3 octets) but never narrows them, so a byte
    // count of the decoded line is a safe test for "longer than allowed".
    const toLine = (text: string): InputLine =>
      Buffer.byteLength(text) > maxOctets ? { kind: 'too-long' } : { kind: 'line', text };
    const splitter = split2(/\r?\n/, toLine, { maxLength: (maxOctets + 1) * 4 });
    const done = (): void => subscriber.complete();
    splitter.on('data', (line: InputLine) => subscriber.next(line));
    splitter.on('end', done);
    splitter.on('error', done);
    guard.on('error', done);
    input.on('error', done);
    input.on('close', done);
    input.pipe(guard).pipe(splitter);
    const flow = paused$.subscribe((paused) => (paused ? splitter.pause() : splitter.resume()));
    return () => {
      flow.unsubscribe();
      input.off('error', done);
      input.off('close', done);
      input.unpipe(guard);
      guard.destroy();
      splitter.destroy();
    };
  });
}
