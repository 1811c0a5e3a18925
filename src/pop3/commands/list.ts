import { optionalMessage } from '../message-number.js';
import { defineCommand } from '../command.js';
import { listing } from '../listing.js';
import { messageCount } from '../replies.js';
import { dropListing } from '../state.js';

export const list = defineCommand({
  verb: 'LIST',
  phases: ['transaction'],
  args: optionalMessage,
  run: (state, number) => ({
    state,
    reply: listing(state, number, 'size', () => {
      const { count, octets } = dropListing(state);
      return `${messageCount(count)} (${octets} octets)`;
    }),
  }),
});
