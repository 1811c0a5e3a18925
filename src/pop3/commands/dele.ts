import { defineCommand } from '../command.js';
import { resolveMessage } from '../message-number.js';
import { ok } from '../replies.js';

export const dele = defineCommand({
  verb: 'DELE',
  phases: ['transaction'],
  args: { min: 1, max: 1 },
  run: (state, input) => {
    const target = resolveMessage(state, input.args[0]!);
    if ('error' in target) return { state, reply: target.error };
    const deleted = new Set(state.deleted).add(target.index);
    return { state: { ...state, deleted }, reply: ok(`Message ${target.index + 1} deleted`) };
  },
});
