import { defineCommand } from '../command.js';
import { oneMessage, resolveMessage } from '../message-number.js';
import { ok } from '../replies.js';

export const dele = defineCommand({
  verb: 'DELE',
  phases: ['transaction'],
  args: oneMessage,
  run: (state, number) => {
    const target = resolveMessage(state, number);
    if ('error' in target) return { state, reply: target.error };
    const deleted = new Set(state.deleted).add(target.index);
    return { state: { ...state, deleted }, reply: ok(`Message ${target.index + 1} deleted`) };
  },
});
