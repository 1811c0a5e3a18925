import { defineCommand } from '../command.js';
import { listing } from '../listing.js';
import { dropListing } from '../state.js';

export const list = defineCommand({
  verb: 'LIST',
  phases: ['transaction'],
  args: { min: 0, max: 1 },
  run: (state, input) => ({
    state,
    reply: listing(state, input.args[0], 'size', () => {
      const { count, octets } = dropListing(state);
      return `${count} messages (${octets} octets)`;
    }),
  }),
});
