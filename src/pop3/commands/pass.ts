import { restOfLine } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { login } from '../login.js';
import { plaintextRefused } from '../plaintext.js';
import { err } from '../replies.js';
import { idle } from '../state.js';

export const pass = defineCommand({
  verb: 'PASS',
  phases: ['authorization'],
  // RFC 1939 §7: the password may contain spaces, so the whole rest of the line is the password.
  args: restOfLine,
  run: (state, password, context) => {
    if (!context.plaintextAuth) return { state: idle(state), reply: plaintextRefused(context) };
    if (state.awaiting?.kind !== 'pass') return { state: idle(state), reply: err('Send USER first') };
    return login(context, state, state.awaiting.user, password);
  },
});
