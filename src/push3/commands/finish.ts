import { defineCommand } from '../command.js';
import { success } from '../replies.js';

/** FINISH ends the session in either state (and with it any WATCH). */
export const finish = defineCommand({
  verb: 'FINISH',
  phases: ['authentication', 'transaction'],
  args: { min: 0, max: 0 },
  usage: 'FINISH',
  run: () => ({ state: { phase: 'closed' }, reply: success('Bye') }),
});
