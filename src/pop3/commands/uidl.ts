import { defineCommand } from '../command.js';
import { resolveMessage } from '../message-number.js';
import { multiline, ok } from '../replies.js';
import { visibleMessages } from '../state.js';

export const uidl = defineCommand({
  verb: 'UIDL',
  phases: ['transaction'],
  args: { min: 0, max: 1 },
  run: (state, input) => {
    const [arg] = input.args;
    if (arg === undefined) {
      const lines = visibleMessages(state).map((message) => `${message.number} ${message.uid}`);
      return { state, reply: multiline('Unique-ID listing follows', lines) };
    }
    const target = resolveMessage(state, arg);
    if ('error' in target) return { state, reply: target.error };
    return { state, reply: ok(`${target.index + 1} ${state.maildrop.messages[target.index]!.uid}`) };
  },
});
