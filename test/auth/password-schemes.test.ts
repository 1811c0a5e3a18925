import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import {
  PASSWORD_SCHEMES,
  hashPassword,
  parseStoredPassword,
  strongest,
  type Credential,
  type StoredPassword,
} from '../../src/auth/password-schemes.js';

/** A hash made by a real tool, as an operator would have made it for Dovecot. */
const openssl = (...args: string[]): string => execFileSync('openssl', ['passwd', ...args], { encoding: 'utf8' }).trim();

function credential(field: string): Credential {
  const stored = parseStoredPassword(field);
  if ('problem' in stored) throw new Error(`unexpected problem: ${stored.problem}`);
  return stored;
}

const check = (field: string, password: string): Promise<boolean> => {
  const { scheme, secret } = credential(field);
  return scheme.verify(password, secret);
};

/** Known-good `$2y$` vector for "rasmuslerdorf", from PHP's password_verify documentation. */
const PHP_2Y = '$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a';

describe('verifying each scheme against hashes from real tools', () => {
  it('SHA512-CRYPT from `openssl passwd -6`, prefixed, under {CRYPT} and bare', async () => {
    const hash = openssl('-6', '-salt', 'Zr4nd0mSalt', 'correct horse');
    for (const field of [`{SHA512-CRYPT}${hash}`, `{CRYPT}${hash}`, hash]) {
      expect(credential(field).scheme.name).toBe('SHA512-CRYPT');
      expect(await check(field, 'correct horse')).toBe(true);
      expect(await check(field, 'correct horse ')).toBe(false);
    }
  });

  it('SHA256-CRYPT from `openssl passwd -5`', async () => {
    const hash = openssl('-5', '-salt', 'abcdefgh', 'secret');
    expect(credential(hash).scheme.name).toBe('SHA256-CRYPT');
    expect(await check(`{SHA256-CRYPT}${hash}`, 'secret')).toBe(true);
    expect(await check(`{SHA256-CRYPT}${hash}`, 'Secret')).toBe(false);
  });

  it('non-ASCII passwords hash as UTF-8, as openssl does', async () => {
    const hash = openssl('-6', '-salt', 'umlauts', 'pässwörd');
    expect(await check(hash, 'pässwörd')).toBe(true);
    expect(await check(hash, 'passwort')).toBe(false);
  });

  it('BLF-CRYPT with $2y$ as Dovecot writes it, and $2b$/$2a$', async () => {
    const hash2b = await bcrypt.hash('secret', 4);
    const hash2y = hash2b.replace(/^\$2b\$/, '$2y$');
    expect(hash2y.startsWith('$2y$')).toBe(true);
    for (const field of [`{BLF-CRYPT}${hash2y}`, hash2y, hash2b, hash2b.replace(/^\$2b\$/, '$2a$')]) {
      expect(credential(field).scheme.name).toBe('BLF-CRYPT');
      expect(await check(field, 'secret')).toBe(true);
      expect(await check(field, 'secreT')).toBe(false);
    }
    expect(await check(`{BLF-CRYPT}${PHP_2Y}`, 'rasmuslerdorf')).toBe(true);
    expect(await check(`{BLF-CRYPT}${PHP_2Y}`, 'rasmus')).toBe(false);
  });

  it('ARGON2ID and ARGON2I from @node-rs/argon2', async () => {
    const id = await argon2Hash('secret', { memoryCost: 1024, timeCost: 1 });
    const i = await argon2Hash('secret', { memoryCost: 1024, timeCost: 1, algorithm: 1 as Algorithm });
    expect(id.startsWith('$argon2id$')).toBe(true);
    expect(i.startsWith('$argon2i$')).toBe(true);
    expect(credential(id).scheme.name).toBe('ARGON2ID');
    expect(credential(i).scheme.name).toBe('ARGON2I');
    expect(await check(`{ARGON2ID}${id}`, 'secret')).toBe(true);
    expect(await check(`{ARGON2I}${i}`, 'secret')).toBe(true);
    expect(await check(`{ARGON2ID}${id}`, 'wrong')).toBe(false);
    expect(await check(`{ARGON2I}${i}`, 'wrong')).toBe(false);
  });

  it('PLAIN and its aliases, case-insensitively; PLAIN.B64', async () => {
    for (const name of ['PLAIN', 'plain', 'CLEARTEXT', 'CLEAR']) {
      expect(await check(`{${name}}password`, 'password')).toBe(true);
      expect(await check(`{${name}}password`, 'passwor')).toBe(false);
      expect(await check(`{${name}}password`, 'password!')).toBe(false);
    }
    const encoded = Buffer.from('sécret', 'utf8').toString('base64');
    expect(await check(`{PLAIN.B64}${encoded}`, 'sécret')).toBe(true);
    expect(await check(`{plain.base64}${encoded}`, 'secret')).toBe(false);
  });
});

describe('parseStoredPassword problems (never a throw)', () => {
  const problemOf = (field: string): string | undefined => {
    const stored: StoredPassword = parseStoredPassword(field);
    return 'problem' in stored ? stored.problem : undefined;
  };

  it('names an unknown scheme', () => {
    expect(problemOf('{MD4}abcdef')).toBe('unknown password scheme {MD4}');
  });

  it('refuses a bare plaintext (Dovecot reads it as CRYPT) without echoing it', () => {
    expect(problemOf('hunter2')).toBe('CRYPT hash of unknown format');
  });

  it('names an unsupported crypt type by its prefix only', () => {
    expect(problemOf('$1$saltsalt$qjXMvbEw8oaL.CzflDugX/')).toBe('CRYPT hash of unsupported type $1$');
  });

  it('refuses an empty secret rather than matching an empty password', () => {
    expect(problemOf('')).toBe('no password');
    expect(problemOf('{PLAIN}')).toBe('no password');
  });

  it('treats `{` without `}` as a bare CRYPT field, as Dovecot does', () => {
    expect(problemOf('{PLAIN')).toBe('CRYPT hash of unknown format');
  });
});

describe('plaintext', () => {
  it('is recoverable from the PLAIN family only', async () => {
    expect(credential('{PLAIN}pw').scheme.plaintext?.('pw')).toBe('pw');
    expect(credential('{PLAIN.B64}cHc=').scheme.plaintext?.('cHc=')).toBe('pw');
    const hashed = [PHP_2Y, openssl('-6', '-salt', 's', 'pw'), openssl('-5', '-salt', 's', 'pw'), await hashPassword('pw')];
    for (const field of hashed) expect(credential(field).scheme.plaintext).toBeUndefined();
  });
});

describe('hashPassword', () => {
  it('stores new passwords as salted ARGON2ID with Dovecot-compatible parameters', async () => {
    const first = await hashPassword('n3w pässword');
    const second = await hashPassword('n3w pässword');
    expect(first.startsWith('{ARGON2ID}$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(first).not.toBe(second);
    expect(await check(first, 'n3w pässword')).toBe(true);
    expect(await check(first, 'n3w password')).toBe(false);
  });
});

describe('strongest', () => {
  it('picks the credential whose scheme comes first in the table', () => {
    const plain = credential('{PLAIN}x');
    const sha = credential(openssl('-6', '-salt', 's', 'x'));
    const bcryptOne = credential(PHP_2Y);
    expect(strongest([plain, sha, bcryptOne])).toBe(bcryptOne);
    expect(strongest([plain])).toBe(plain);
    expect(strongest([])).toBeUndefined();
  });

  it('has every scheme name unique across names and aliases', () => {
    const names = PASSWORD_SCHEMES.flatMap((scheme) => [scheme.name, ...(scheme.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
  });
});

const ssha = (password: string, salt: Buffer, algorithm = 'sha1'): string =>
  Buffer.concat([createHash(algorithm).update(password).update(salt).digest(), salt]).toString('base64');

describe('LDAP userPassword schemes', () => {
  it.each([
    ['SSHA', 'sha1'],
    ['SSHA256', 'sha256'],
    ['SSHA512', 'sha512'],
  ])('{%s} checks salted digests', async (name, algorithm) => {
    const credential = parseStoredPassword(`{${name}}${ssha('secret', Buffer.from('saltsalt'), algorithm)}`) as Credential;
    expect(await credential.scheme.verify('secret', credential.secret)).toBe(true);
    expect(await credential.scheme.verify('secreT', credential.secret)).toBe(false);
  });

  it('{SHA} is unsalted; a secret of the wrong length cannot be checked', async () => {
    const credential = parseStoredPassword(`{SHA}${createHash('sha1').update('pw').digest('base64')}`) as Credential;
    expect(await credential.scheme.verify('pw', credential.secret)).toBe(true);
    await expect(credential.scheme.verify('pw', 'c2hvcnQ=')).rejects.toThrow(/wrong length/u);
  });
});
