import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { messageCount, ok } from '../replies.js';
import { dropListing, NONE_DELETED, type Transaction } from '../state.js';

export const rset = defineCommand({
  verb: 'RSET',
  phases: ['transaction'],
  args: noArguments,
  run: (state) => {
    const next: Transaction = { ...state, deleted: NONE_DELETED };
    const { count, octets } = dropListing(next);
    return { state: next, reply: ok(`${messageCount(count)} (${octets} octets)`) };
  },
});
