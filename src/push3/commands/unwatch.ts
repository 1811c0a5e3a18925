import { defineCommand } from '../command.js';
import { fail, success } from '../replies.js';

/** UNWATCH (extension): stops the WATCH stream; the session stays in TRANSACTION. */
export const unwatch = defineCommand({
  verb: 'UNWATCH',
  phases: ['transaction'],
  args: { min: 0, max: 0 },
  usage: 'UNWATCH',
  run: (state) => {
    if (state.watchMs === undefined) return { state, reply: fail('Not watching') };
    return { state: { phase: 'transaction', user: state.user, grant: state.grant }, reply: success('Stopped watching') };
  },
});
