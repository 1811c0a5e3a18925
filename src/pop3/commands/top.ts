import { defineCommand } from '../command.js';
import { messageAndLines, resolveMessage } from '../message-number.js';
import { messageReply } from '../message-reply.js';
import { headerAndLines } from '../wire-body.js';

export const top = defineCommand({
  verb: 'TOP',
  phases: ['transaction'],
  args: messageAndLines,
  run: (state, { message, lines }, context) => {
    const target = resolveMessage(state, message);
    if ('error' in target) return { state, reply: target.error };
    return { state, reply: messageReply(state, target.index, context, headerAndLines(lines), 'Top of message follows') };
  },
});
