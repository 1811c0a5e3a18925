/** Credentials a password-based SASL mechanism extracted from the client's response. */
export interface PasswordCredentials {
  readonly user: string;
  readonly password: string;
}

/**
 * A SASL mechanism (RFC 4422) for POP3's AUTH (RFC 5034). Mechanisms here are one round: the
 * client's (decoded) response yields credentials or a reason it is malformed. A mechanism is one
 * module plus one line in the table.
 */
export interface SaslMechanism {
  readonly name: string;
  /** The password crosses the wire readable: offered only where plaintext authentication is allowed. */
  readonly plaintext: boolean;
  /** Decodes the client's response; never throws. */
  credentials(response: Buffer): PasswordCredentials | { readonly malformed: string };
}
