import { defineCommand } from '../command.js';
import { login } from '../login.js';
import { err } from '../replies.js';

export const pass = defineCommand({
  verb: 'PASS',
  phases: ['authorization'],
  // RFC 1939 §7: the password may contain spaces, so the whole rest of the line is the password.
  args: { min: 1, max: Number.POSITIVE_INFINITY },
  run: (state, input, context) => {
    if (state.awaiting?.kind !== 'pass') return { state: { phase: 'authorization' }, reply: err('Send USER first') };
    return login(context, state.awaiting.user, input.rest);
  },
});
