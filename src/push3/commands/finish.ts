import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { success } from '../replies.js';

/** FINISH ends the session in either state (and with it any WATCH). */
export const finish = defineCommand({
  verb: 'FINISH',
  phases: ['authentication', 'transaction'],
  args: noArguments,
  usage: 'FINISH',
  run: () => ({ state: { phase: 'closed' }, reply: success('Bye') }),
});
