import { defineCommand } from '../command.js';
import { ok } from '../replies.js';

/** USER never says whether the name exists: PASS fails the same way for either cause. */
export const user = defineCommand({
  verb: 'USER',
  phases: ['authorization'],
  args: { min: 1, max: 1 },
  run: (_state, input) => ({
    state: { phase: 'authorization', awaiting: { kind: 'pass', user: input.args[0]! } },
    reply: ok(''),
  }),
});
