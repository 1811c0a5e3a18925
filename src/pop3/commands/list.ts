import { defineCommand } from '../command.js';
import { resolveMessage } from '../message-number.js';
import { multiline, ok } from '../replies.js';
import { dropListing, visibleMessages } from '../state.js';

export const list = defineCommand({
  verb: 'LIST',
  phases: ['transaction'],
  args: { min: 0, max: 1 },
  run: (state, input) => {
    const [arg] = input.args;
    if (arg === undefined) {
      const { count, octets } = dropListing(state);
      const lines = visibleMessages(state).map((message) => `${message.number} ${message.size}`);
      return { state, reply: multiline(`${count} messages (${octets} octets)`, lines) };
    }
    const target = resolveMessage(state, arg);
    if ('error' in target) return { state, reply: target.error };
    return { state, reply: ok(`${target.index + 1} ${state.maildrop.messages[target.index]!.size}`) };
  },
});
