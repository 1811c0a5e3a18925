import { oneWord } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { plaintextRefused } from '../plaintext.js';
import { ok } from '../replies.js';
import { idle } from '../state.js';

/** USER never says whether the name exists: PASS fails the same way for either cause. */
export const user = defineCommand({
  verb: 'USER',
  phases: ['authorization'],
  args: oneWord,
  run: (state, name, context) => {
    // Refused here already, so a client that heeds it never sends the password in the clear.
    if (!context.plaintextAuth) return { state: idle(state), reply: plaintextRefused(context) };
    return { state: { ...idle(state), awaiting: { kind: 'pass', user: name } }, reply: ok('') };
  },
});
