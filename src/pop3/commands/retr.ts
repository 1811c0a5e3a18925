import { defineCommand } from '../command.js';
import { oneMessage, resolveMessage } from '../message-number.js';
import { messageReply } from '../message-reply.js';

export const retr = defineCommand({
  verb: 'RETR',
  phases: ['transaction'],
  args: oneMessage,
  run: (state, number, context) => {
    const target = resolveMessage(state, number);
    if ('error' in target) return { state, reply: target.error };
    // Like Dovecot's POP3, RETR (and not TOP) marks the message seen for an IMAP client beside us.
    const markSeen = (): void => state.maildrop.markSeen(target.index);
    return { state, reply: messageReply(state, target.index, context, undefined, undefined, markSeen) };
  },
});
