import type { Readable } from 'node:stream';
import { Observable } from 'rxjs';
import type { Maildrop } from '../maildrop/maildrop.js';

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

/**
 * Message `index`'s stored bytes, read when the output flows (at once if it does): a small message whole,
 * as one chunk, without a stream between the file and the reply (most mail, and a stream's events and
 * ticks cost more than the read); any other through `fromReadable`.
 */
export function messageBytes(maildrop: Maildrop, index: number, paused$: Observable<boolean>): Observable<Buffer> {
  if (maildrop.readAtOnce === undefined) return fromReadable(() => maildrop.read(index), paused$);
  return new Observable<Buffer>((subscriber) => {
    let started = false;
    subscriber.add(
      paused$.subscribe((paused) => {
        if (paused || started) return;
        started = true;
        let whole: Buffer | undefined;
        try {
          whole = maildrop.readAtOnce!(index);
        } catch (error) {
          // Thrown here it would escape into paused$'s subscriber, past the reply's error handling.
          subscriber.error(error);
          return;
        }
        if (whole === undefined) {
          subscriber.add(fromReadable(() => maildrop.read(index), paused$).subscribe(subscriber));
          return;
        }
        subscriber.next(whole);
        subscriber.complete();
      }),
    );
  });
}
