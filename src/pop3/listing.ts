import { resolveMessage, type MessageNumber } from './message-number.js';
import { multiline, ok, type Reply } from './replies.js';
import { visibleMessages, type Transaction } from './state.js';

type Field = 'size' | 'uid';

/**
 * LIST and UIDL (RFC 1939 §5, §7) share one shape: without an argument, one line per message not
 * deleted; with a message number, that message's line as a single-line reply.
 */
export function listing(state: Transaction, number: MessageNumber | undefined, field: Field, heading: () => string): Reply {
  if (number === undefined) {
    return multiline(heading(), visibleMessages(state).map((message) => `${message.number} ${message[field]}`));
  }
  const target = resolveMessage(state, number);
  if ('error' in target) return target.error;
  return ok(`${target.index + 1} ${state.maildrop.messages[target.index]![field]}`);
}
