import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { ok } from '../replies.js';
import { dropListing } from '../state.js';

export const stat = defineCommand({
  verb: 'STAT',
  phases: ['transaction'],
  args: noArguments,
  run: (state) => {
    const { count, octets } = dropListing(state);
    return { state, reply: ok(`${count} ${octets}`) };
  },
});
