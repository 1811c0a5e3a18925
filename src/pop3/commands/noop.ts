import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { ok } from '../replies.js';

export const noop = defineCommand({
  verb: 'NOOP',
  phases: ['transaction'],
  args: noArguments,
  run: (state) => ({ state, reply: ok('') }),
});
