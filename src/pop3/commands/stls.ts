import { noArguments } from '../../session/arguments.js';
import { defineCommand } from '../command.js';
import { err, ok } from '../replies.js';

/**
 * STLS (RFC 2595 §4): `+OK`, then the session ends in the `starting-tls` state; the session runner hands
 * the connection to the net layer for the handshake, and a fresh session (no greeting) runs over TLS.
 */
export const stls = defineCommand({
  verb: 'STLS',
  phases: ['authorization'],
  args: noArguments,
  run: (state, _args, context) => {
    if (context.connection.secure) return { state, reply: err('Already using TLS') };
    if (!context.startTls) return { state, reply: err('TLS is not available') };
    return { state: { phase: 'starting-tls', failures: state.failures }, reply: ok('Begin TLS negotiation') };
  },
});
