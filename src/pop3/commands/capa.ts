import { defineCommand } from '../command.js';
import { multiline } from '../replies.js';
import { saslMechanisms } from '../sasl/index.js';

export const capa = defineCommand({
  verb: 'CAPA',
  phases: ['authorization', 'transaction'],
  args: { min: 0, max: 0 },
  run: (state, _input, context) => ({
    state,
    reply: multiline('Capability list follows', [
      'TOP',
      'UIDL',
      'USER',
      `SASL ${[...saslMechanisms.keys()].join(' ')}`,
      'PIPELINING',
      'RESP-CODES',
      'AUTH-RESP-CODE',
      'EXPIRE NEVER',
      `IMPLEMENTATION ${context.implementation}`,
    ]),
  }),
});
