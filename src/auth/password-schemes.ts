import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The hashing libraries are loaded when a secret of theirs is first checked or made: a site uses one or two
 * schemes, and each library costs every process (the daemon's workers, each `pop3d deliver`) 1-5 MB and its
 * load time.
 */
function loadedOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
const argon2 = loadedOnce(() => import('@node-rs/argon2'));
const bcrypt = loadedOnce(async () => (await import('bcryptjs')).default);
const unixcrypt = loadedOnce(() => import('unixcrypt'));

/** A Dovecot password scheme: how the secret after `{NAME}` is checked. Adding a scheme is one table entry. */
export interface PasswordScheme {
  /** Dovecot's name, as written between the braces (matched case-insensitively, as Dovecot does). */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Hash prefixes by which CRYPT recognises this scheme's secrets. */
  readonly cryptPrefixes?: readonly string[];
  /** May reject when the secret is malformed (bad salt, truncated hash). */
  verify(password: string, secret: string): Promise<boolean>;
  /** A new secret for `password`, without the `{NAME}` prefix. */
  hash?(password: string): Promise<string>;
  /** The password itself, for schemes that store it recoverably (APOP needs it). */
  plaintext?(secret: string): string;
}

/** Through fixed-size digests: timingSafeEqual needs equal lengths, and neither a shared prefix nor a length leaks. */
function equalInConstantTime(a: string, b: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function plainScheme(name: string, aliases: readonly string[], decode: (secret: string) => string): PasswordScheme {
  return {
    name,
    aliases,
    plaintext: decode,
    verify: async (password, secret) => equalInConstantTime(password, decode(secret)),
  };
}

/*
 * Argon2 cost: the OWASP minimum (19 MiB, 2 passes). Parallelism must stay 1: Dovecot verifies Argon2 with
 * libsodium, which only handles one lane, so a file written here keeps working if moved back to Dovecot.
 */
const ARGON2_COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The library reads the variant from the hash, so ARGON2I and ARGON2ID share this (Dovecot accepts either too). */
const argon2Verified = async (password: string, secret: string): Promise<boolean> => (await argon2()).verify(secret, password);

const argon2id = {
  name: 'ARGON2ID',
  cryptPrefixes: ['$argon2id$'],
  verify: argon2Verified,
  // The library's default variant is Argon2id (its Algorithm enum is const, so it cannot be named at runtime).
  hash: async (password: string) => (await argon2()).hash(password, ARGON2_COST),
} satisfies PasswordScheme;

/** unixcrypt compares in constant time itself, and reads SHA-256 or SHA-512 (and any rounds=) from the hash. */
const shaCryptVerified = async (password: string, secret: string): Promise<boolean> => (await unixcrypt()).verify(password, secret);

/**
 * `{SSHA}` and kin, as LDAP servers store `userPassword` (slappasswd's default) and Dovecot reads them:
 * base64 of the digest of password + salt, then the salt; the unsalted forms have no salt.
 */
function saltedDigestScheme(name: string, algorithm: string, salted: boolean): PasswordScheme {
  const length = createHash(algorithm).digest().length;
  return {
    name,
    async verify(password, secret) {
      const decoded = Buffer.from(secret, 'base64');
      if (decoded.length < length + (salted ? 1 : 0) || (!salted && decoded.length !== length)) {
        throw new Error(`${name} secret has the wrong length`);
      }
      const salt = decoded.subarray(length);
      const digest = createHash(algorithm).update(password, 'utf8').update(salt).digest();
      return timingSafeEqual(digest, decoded.subarray(0, length));
    },
  };
}

/** Strongest first: the directory checks unknown users against the strongest scheme in use. */
export const PASSWORD_SCHEMES: readonly PasswordScheme[] = [
  argon2id,
  { name: 'ARGON2I', cryptPrefixes: ['$argon2i$'], verify: argon2Verified },
  // Dovecot writes `$2y$` (doveadm pw -s BLF-CRYPT); bcryptjs verifies all three minor versions alike.
  {
    name: 'BLF-CRYPT',
    cryptPrefixes: ['$2y$', '$2b$', '$2a$'],
    verify: async (password, secret) => (await bcrypt()).compare(password, secret),
  },
  { name: 'SHA512-CRYPT', cryptPrefixes: ['$6$'], verify: shaCryptVerified },
  { name: 'SHA256-CRYPT', cryptPrefixes: ['$5$'], verify: shaCryptVerified },
  saltedDigestScheme('SSHA512', 'sha512', true),
  saltedDigestScheme('SSHA256', 'sha256', true),
  saltedDigestScheme('SSHA', 'sha1', true),
  saltedDigestScheme('SHA512', 'sha512', false),
  saltedDigestScheme('SHA256', 'sha256', false),
  saltedDigestScheme('SHA', 'sha1', false),
  plainScheme('PLAIN', ['CLEARTEXT', 'CLEAR'], (secret) => secret),
  // Dovecot's `.B64` encoding suffix, applied to PLAIN.
  plainScheme('PLAIN.B64', ['PLAIN.BASE64'], (secret) => Buffer.from(secret, 'base64').toString('utf8')),
];

/** New passwords: Argon2id is memory-hard (unlike the SHA-crypts) and has no 72-byte limit (unlike bcrypt). */
const NEW_PASSWORD_SCHEME = argon2id;

/** The full `{SCHEME}secret` field for a new password. */
export async function hashPassword(password: string): Promise<string> {
  return `{${NEW_PASSWORD_SCHEME.name}}${await NEW_PASSWORD_SCHEME.hash(password)}`;
}

export interface Credential {
  readonly scheme: PasswordScheme;
  readonly secret: string;
}

/** A credential, or why the password field cannot be checked (so the user cannot log in). */
export type StoredPassword = Credential | { readonly problem: string };

const byName = new Map(
  PASSWORD_SCHEMES.flatMap((scheme) => [scheme.name, ...(scheme.aliases ?? [])].map((name) => [name, scheme] as const)),
);

/**
 * Dovecot's CRYPT hands the secret to libc crypt(), which picks the algorithm by the hash's prefix; the same is
 * done here among the schemes above (Argon2 included, which libc lacks, so that bare `$argon2id$` hashes work).
 */
function cryptScheme(secret: string): StoredPassword {
  const scheme = PASSWORD_SCHEMES.find((candidate) =>
    candidate.cryptPrefixes?.some((prefix) => secret.startsWith(prefix)),
  );
  if (scheme !== undefined) return { scheme, secret };
  // Name only the prefix: the rest is secret material and must not reach the logs.
  const prefix = /^\$[^$]*\$/.exec(secret)?.[0];
  return {
    problem: prefix === undefined ? 'CRYPT hash of unknown format' : `CRYPT hash of unsupported type ${prefix}`,
  };
}

/**
 * Interprets a passwd-file password field: `{SCHEME}secret`, or without braces Dovecot's default for
 * passwd-file, CRYPT (so `$6$...` or `$2y$...` work bare; a bare plaintext password does not, as in Dovecot).
 * An empty secret is refused rather than matching an empty password.
 */
export function parseStoredPassword(field: string): StoredPassword {
  const braced = /^\{([^}]*)\}/.exec(field);
  const name = braced?.[1]?.toUpperCase() ?? 'CRYPT';
  const secret = braced === null ? field : field.slice(braced[0].length);
  if (secret === '') return { problem: 'no password' };
  if (name === 'CRYPT') return cryptScheme(secret);
  const scheme = byName.get(name);
  return scheme === undefined ? { problem: `unknown password scheme {${braced?.[1]}}` } : { scheme, secret };
}

/** The credential of the strongest scheme among these (the first in PASSWORD_SCHEMES), if any. */
export function strongest(credentials: Iterable<Credential>): Credential | undefined {
  let best: Credential | undefined;
  for (const credential of credentials) {
    const rank = PASSWORD_SCHEMES.indexOf(credential.scheme);
    if (best === undefined || rank < PASSWORD_SCHEMES.indexOf(best.scheme)) best = credential;
  }
  return best;
}

/**
 * Whether `password` matches `credential`. A malformed secret (bad salt, truncated hash) is a mismatch, and
 * its reason goes to `onProblem`: a login never throws for it.
 */
export async function verifyCredential(credential: Credential, password: string, onProblem: (reason: string) => void): Promise<boolean> {
  try {
    return await credential.scheme.verify(password, credential.secret);
  } catch (error) {
    onProblem(`${credential.scheme.name} secret cannot be checked: ${(error as Error).message}`);
    return false;
  }
}
