import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';

/**
 * A Node stream as an Observable that honours the socket's backpressure: while `paused$` says the
 * output is full, the stream is paused, so a slow reader slows the file read instead of filling memory.
 * Unsubscribing destroys the stream (client gone, or TOP has what it needs).
 */
export function fromReadable(open: () => Readable, paused$: Observable<boolean>): Observable<Buffer> {
  return new Observable<Buffer>((subscriber) => {
    const stream = open();
    stream.on('data', (chunk: Buffer | string) => subscriber.next(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.once('end', () => subscriber.complete());
    stream.once('error', (error) => subscriber.error(error));
    const flow = paused$.subscribe((paused) => (paused ? stream.pause() : stream.resume()));
    return () => {
      flow.unsubscribe();
      stream.destroy();
    };
  });
}
