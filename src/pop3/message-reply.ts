import { defer, identity, Observable, tap, throwError, type OperatorFunction } from 'rxjs';
import type { Outbound } from '../net/connection.js';
import type { SessionContext } from './context.js';
import { fromReadable, messageBytes } from './readable-source.js';
import { err, statusLine, streamed, type StreamedReply } from './replies.js';
import type { Transaction } from './state.js';
import { toWireBody, wholeWireReply } from './wire-body.js';

/**
 * RETR/TOP's reply: the stored file, opened only when this reply's turn comes (so pipelined replies
 * never interleave), optionally cut, converted to wire form, and paced by the socket.
 */
export function messageReply(
  state: Transaction,
  index: number,
  context: SessionContext,
  cut: OperatorFunction<Buffer, Buffer> = identity,
  statusText = `${state.maildrop.messages[index]!.size} octets`,
  /** Called once the whole body has gone out (RETR marks the message seen then). */
  onSent: () => void = () => undefined,
): StreamedReply {
  const { maildrop } = state;
  const { connection } = context;
  const retrieved = (octets: number): void => {
    context.emit({ type: 'message-retrieved', connection: connection.id, user: state.user, octets, at: context.scheduler.now() });
    onSent();
  };
  /** The reply streamed from `stored$`, the stored bytes: cut, encoded, paced, and -ERR if they never come. */
  const streamedFrom = (stored$: Observable<Buffer>): Observable<Outbound> => {
    let octets = 0;
    const body$ = stored$.pipe(
      cut,
      toWireBody(),
      tap({
        next: (chunk) => (octets += chunk.length),
        complete: () => retrieved(octets),
      }),
    );
    return streamed(statusText, body$, err(`Message ${index + 1} cannot be read`, 'SYS/TEMP')).wire$;
  };
  const fromStore = (): Observable<Buffer> => messageBytes(maildrop, index, connection.outputPaused$);
  const { readAtOnce } = maildrop;
  if (cut !== identity || readAtOnce === undefined) return { ok: true, wire$: defer(() => streamedFrom(fromStore())) };
  // Most RETRs: a small message, with room in the socket's buffer, goes out whole when its turn comes,
  // without a stream (a read, the encoding, one buffer). Whatever that read found is not read again.
  const wire$ = new Observable<Outbound>((subscriber) => {
    // A full buffer: the stream waits for it to drain before it reads.
    if (connection.outputFull?.() !== false) return streamedFrom(fromStore()).subscribe(subscriber);
    let stored: Buffer | undefined;
    try {
      stored = readAtOnce.call(maildrop, index);
    } catch (error) {
      return streamedFrom(throwError(() => error)).subscribe(subscriber);
    }
    // Larger than it can take at once (or moved): streamed from the file.
    if (stored === undefined) return streamedFrom(fromReadable(() => maildrop.read(index), connection.outputPaused$)).subscribe(subscriber);
    const { wire, bodyOctets } = wholeWireReply(statusLine('+OK', statusText), stored);
    subscriber.next(wire);
    retrieved(bodyOctets);
    subscriber.complete();
    return undefined;
  });
  return { ok: true, wire$ };
}
