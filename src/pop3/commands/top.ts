import { defineCommand } from '../command.js';
import { parseCount, resolveMessage } from '../message-number.js';
import { messageReply } from '../message-reply.js';
import { err } from '../replies.js';
import { headerAndLines } from '../wire-body.js';

export const top = defineCommand({
  verb: 'TOP',
  phases: ['transaction'],
  args: { min: 2, max: 2 },
  run: (state, input, context) => {
    const [messageArg, linesArg] = input.args as [string, string];
    const target = resolveMessage(state, messageArg);
    if ('error' in target) return { state, reply: target.error };
    const lines = parseCount(linesArg);
    if (lines === undefined) return { state, reply: err(`Invalid line count: ${linesArg.slice(0, 20)}`) };
    return { state, reply: messageReply(state, target.index, context, headerAndLines(lines), 'Top of message follows') };
  },
});
