import { upToTwoWords } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { plaintextRefused } from '../plaintext.js';
import { err, multiline, type InstantReply } from '../replies.js';
import { completeSasl } from '../sasl/exchange.js';
import { offeredMechanisms, saslMechanisms } from '../sasl/index.js';
import { idle } from '../state.js';

const CONTINUE: InstantReply = { ok: true, wire: '+ \r\n' };

/** AUTH (RFC 5034): with an initial response, or with a `+ ` continuation; bare AUTH lists mechanisms. */
export const auth = defineCommand({
  verb: 'AUTH',
  phases: ['authorization'],
  args: upToTwoWords,
  run: (state, [name, initial], context) => {
    if (name === undefined) {
      return { state: idle(state), reply: multiline('Mechanisms follow', offeredMechanisms(context.plaintextAuth)) };
    }
    const mechanism = saslMechanisms.get(name.toUpperCase());
    if (mechanism === undefined) return { state: idle(state), reply: err('Unsupported authentication mechanism') };
    // Refused before any response is decoded: an initial response sent anyway is never checked.
    if (mechanism.plaintext && !context.plaintextAuth) return { state: idle(state), reply: plaintextRefused(context) };
    if (initial !== undefined) return completeSasl(mechanism, initial, state, context);
    return {
      state: { ...idle(state), awaiting: { kind: 'sasl-response', mechanism: mechanism.name } },
      reply: CONTINUE,
    };
  },
});
