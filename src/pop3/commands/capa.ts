import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { multiline } from '../replies.js';
import { offeredMechanisms } from '../sasl/index.js';

/** RFC 2449. What is listed depends on the connection: STLS before TLS, USER and SASL PLAIN where allowed. */
export const capa = defineCommand({
  verb: 'CAPA',
  phases: ['authorization', 'transaction'],
  args: noArguments,
  run: (state, _args, context) => {
    const mechanisms = offeredMechanisms(context.plaintextAuth);
    const startTls = context.startTls && !context.connection.secure && state.phase === 'authorization';
    return {
      state,
      reply: multiline('Capability list follows', [
        'TOP',
        'UIDL',
        ...(context.plaintextAuth ? ['USER'] : []),
        ...(mechanisms.length > 0 ? [`SASL ${mechanisms.join(' ')}`] : []),
        ...(startTls ? ['STLS'] : []),
        'PIPELINING',
        'RESP-CODES',
        'AUTH-RESP-CODE',
        'EXPIRE NEVER',
        `IMPLEMENTATION ${context.implementation}`,
      ]),
    };
  },
});
