import { defineCommand } from '../command.js';
import { ok } from '../replies.js';

export const noop = defineCommand({
  verb: 'NOOP',
  phases: ['transaction'],
  args: { min: 0, max: 0 },
  run: (state) => ({ state, reply: ok('') }),
});
