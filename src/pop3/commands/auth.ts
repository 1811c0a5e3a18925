import { of } from 'rxjs';
import { defineCommand } from '../command.js';
import { err, multiline } from '../replies.js';
import { completeSasl } from '../sasl/exchange.js';
import { saslMechanisms } from '../sasl/index.js';
import type { Authorization } from '../state.js';

const CONTINUE = { ok: true, out$: of('+ \r\n') };

/** AUTH (RFC 5034): with an initial response, or with a `+ ` continuation; bare AUTH lists mechanisms. */
export const auth = defineCommand({
  verb: 'AUTH',
  phases: ['authorization'],
  args: { min: 0, max: 2 },
  run: (_state, input, context) => {
    const idle: Authorization = { phase: 'authorization' };
    const [name, initial] = input.args;
    if (name === undefined) return { state: idle, reply: multiline('Mechanisms follow', [...saslMechanisms.keys()]) };
    const mechanism = saslMechanisms.get(name.toUpperCase());
    if (mechanism === undefined) return { state: idle, reply: err('Unsupported authentication mechanism') };
    if (initial !== undefined) return completeSasl(mechanism, initial, context);
    return {
      state: { phase: 'authorization', awaiting: { kind: 'sasl-response', mechanism: mechanism.name } },
      reply: CONTINUE,
    };
  },
});
