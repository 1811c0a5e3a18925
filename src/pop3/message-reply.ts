import { defer, identity, Observable, tap, type OperatorFunction } from 'rxjs';
import type { Outbound } from '../net/connection.js';
import { newBodyEncoder } from './kernel-wire-body-encoder.js';
import type { SessionContext } from './context.js';
import { messageBytes } from './readable-source.js';
import { err, statusLine, streamed, type StreamedReply } from './replies.js';
import type { Transaction } from './state.js';
import { toWireBody } from './wire-body.js';

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
  const retrieved = (octets: number): void => {
    context.emit({ type: 'message-retrieved', connection: context.connection.id, user: state.user, octets, at: context.scheduler.now() });
    onSent();
  };
  // The stream is built only when needed: most RETRs go out whole (below).
  const streamed$ = (): Observable<Outbound> => {
    let octets = 0;
    const body$ = messageBytes(state.maildrop, index, context.connection.outputPaused$).pipe(
      cut,
      toWireBody(),
      tap({
        next: (chunk) => (octets += chunk.length),
        complete: () => retrieved(octets),
      }),
    );
    return streamed(statusText, body$, err(`Message ${index + 1} cannot be read`, 'SYS/TEMP')).wire$;
  };
  if (cut !== identity) return { ok: true, wire$: defer(streamed$) };
  // Most RETRs: a small message, with room in the socket's buffer, goes out whole when its turn comes,
  // without the stream (a read, the encoding, three writes). Anything else takes the stream.
  const whole$ = new Observable<Outbound>((subscriber) => {
    const wire = wholeMessage(state, index, context);
    if (wire === undefined) return streamed$().subscribe(subscriber);
    subscriber.next(statusLine('+OK', statusText));
    let octets = 0;
    for (const chunk of wire) {
      octets += chunk.length;
      subscriber.next(chunk);
    }
    retrieved(octets);
    subscriber.complete();
    return undefined;
  });
  return { ok: true, wire$: whole$ };
}

/**
 * Message `index` in wire form, terminator included, when it can be read at once and the socket has room
 * for it; otherwise undefined (the caller streams it, which also reports a file that cannot be read).
 */
function wholeMessage(state: Transaction, index: number, context: SessionContext): Buffer[] | undefined {
  const { maildrop } = state;
  if (maildrop.readAtOnce === undefined || context.connection.outputFull?.() !== false) return undefined;
  let stored: Buffer | undefined;
  try {
    stored = maildrop.readAtOnce(index);
  } catch {
    return undefined;
  }
  if (stored === undefined) return undefined;
  const encoder = newBodyEncoder();
  const wire: Buffer[] = [];
  encoder.encode(stored, (chunk) => wire.push(chunk));
  wire.push(encoder.end());
  return wire;
}
