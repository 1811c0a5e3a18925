import { defineCommand } from '../command.js';
import { listing } from '../listing.js';

export const uidl = defineCommand({
  verb: 'UIDL',
  phases: ['transaction'],
  args: { min: 0, max: 1 },
  run: (state, input) => ({
    state,
    reply: listing(state, input.args[0], 'uid', () => 'Unique-ID listing follows'),
  }),
});
