import type { SessionContext } from './context.js';
import { err, type Reply } from './replies.js';

/**
 * The answer to USER, PASS or a plaintext SASL mechanism where passwords must not travel in the clear
 * (RFC 2595 §2.3): neither TLS nor a trusted network. The password is never checked, so nothing is learned.
 */
export function plaintextRefused(context: SessionContext): Reply {
  const hint = context.startTls ? 'use STLS first' : 'use APOP';
  return err(`Plaintext authentication is disallowed on non-secure connections; ${hint}`, 'AUTH');
}
