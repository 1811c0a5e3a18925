import type { SaslMechanism } from './mechanism.js';
import { plain } from './plain.js';

/** Mechanisms offered in CAPA's SASL line and accepted by AUTH, by name. */
export const saslMechanisms: ReadonlyMap<string, SaslMechanism> = new Map([plain].map((mechanism) => [mechanism.name, mechanism]));

/** The names offered on a connection: plaintext mechanisms only where plaintext authentication is allowed. */
export function offeredMechanisms(plaintextAuth: boolean): string[] {
  return [...saslMechanisms.values()]
    .filter((mechanism) => plaintextAuth || !mechanism.plaintext)
    .map((mechanism) => mechanism.name);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (RFC 4648, padded); `=` alone is the empty response (RFC 5034 §4). */
export function decodeBase64(text: string): Buffer | undefined {
  if (text === '=') return Buffer.alloc(0);
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}
