import { of, type Observable } from 'rxjs';
import type { CommandLine } from '../../net/lines.js';
import type { Transition } from '../command.js';
import type { SessionContext } from '../context.js';
import { login } from '../login.js';
import { err } from '../replies.js';
import { idle, type Authorization } from '../state.js';
import type { SaslMechanism } from './mechanism.js';
import { decodeBase64, saslMechanisms } from './index.js';

/** Finishes an AUTH exchange with the client's base64 response (initial or continuation). */
export function completeSasl(
  mechanism: SaslMechanism,
  encoded: string,
  state: Authorization,
  context: SessionContext,
): Observable<Transition> {
  if (encoded === '*') return of({ state: idle(state), reply: err('Authentication cancelled') });
  const response = decodeBase64(encoded);
  if (response === undefined) return of({ state: idle(state), reply: err('Invalid base64 in response') });
  const credentials = mechanism.credentials(response);
  if ('malformed' in credentials) return of({ state: idle(state), reply: err(credentials.malformed, 'AUTH') });
  return login(context, state, credentials.user, credentials.password);
}

/** The line after `+ ` belongs to the exchange, not to the command parser. */
export function continueSasl(
  mechanismName: string,
  line: CommandLine,
  state: Authorization,
  context: SessionContext,
): Observable<Transition> {
  const mechanism = saslMechanisms.get(mechanismName);
  if (line.kind === 'too-long' || mechanism === undefined) {
    return of({ state: idle(state), reply: err('Response too long') });
  }
  return completeSasl(mechanism, line.text.trim(), state, context);
}
