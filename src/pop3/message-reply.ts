import { identity, tap, type OperatorFunction } from 'rxjs';
import type { SessionContext } from './context.js';
import { messageBytes } from './readable-source.js';
import { err, streamed, type Reply } from './replies.js';
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
): Reply {
  let octets = 0;
  const body$ = messageBytes(state.maildrop, index, context.connection.outputPaused$).pipe(
    cut,
    toWireBody(),
    tap({
      next: (chunk) => (octets += chunk.length),
      complete: () => {
        context.emit({
          type: 'message-retrieved',
          connection: context.connection.id,
          user: state.user,
          octets,
          at: context.scheduler.now(),
        });
        onSent();
      },
    }),
  );
  return streamed(statusText, body$, err(`Message ${index + 1} cannot be read`, 'SYS/TEMP'));
}
