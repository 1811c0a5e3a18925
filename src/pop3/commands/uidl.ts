import { optionalMessage } from '../message-number.js';
import { defineCommand } from '../command.js';
import { listing } from '../listing.js';

export const uidl = defineCommand({
  verb: 'UIDL',
  phases: ['transaction'],
  args: optionalMessage,
  run: (state, number) => ({
    state,
    reply: listing(state, number, 'uid', () => 'Unique-ID listing follows'),
  }),
});
