import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMailLocation } from '../../src/auth/mail-location.js';
import { PasswdFileDirectory } from '../../src/auth/passwd-directory.js';
import { parseStoredPassword, type Credential } from '../../src/auth/password-schemes.js';
import { userFilter } from '../../src/auth/sources/ldap.js';
import { entryFrom } from '../../src/auth/sources/record-fields.js';
import { parseConfig } from '../../src/config/load.js';
import { tempDir } from '../mail/temp-dir.js';

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

describe('mail locations', () => {
  it('reads maildir:<path> (Dovecot options dropped) and bare paths; refuses other formats', () => {
    expect(parseMailLocation('maildir:~/Maildir:INDEX=/x/%u')).toEqual({ maildir: '~/Maildir' });
    expect(parseMailLocation('/srv/mail/carol')).toEqual({ maildir: '/srv/mail/carol' });
    expect(parseMailLocation('mdbox:~/mdbox')).toEqual({ problem: 'mail location "mdbox:~/mdbox" is not maildir:<path>' });
  });

  it('makes entries from row or attribute values, reporting an unusable location', () => {
    const reports: string[] = [];
    const entry = entryFrom('carol', { password: ['{PLAIN}x'], maildir: 'mbox:~/mail', home: Buffer.from('/home/carol') }, (reason) => reports.push(reason));
    expect(entry.record).toEqual({ name: 'carol', home: '/home/carol', maildir: undefined });
    expect(reports).toEqual(['user carol: mail location "mbox:~/mail" is not maildir:<path>; mail.maildir is used instead']);
    expect(entryFrom('dan', { password: null }, () => undefined).verifier).toEqual({ kind: 'stored', stored: { problem: 'no password' } });
  });
});

describe('passwd-file records', () => {
  it('gives home (field 6) and userdb_mail as the record', async () => {
    const path = join(await tempDir(), 'users.passwd');
    await writeFile(path, 'carol:{PLAIN}x:1000:1000::/home/carol::userdb_mail=maildir:~/Mail userdb_quota_rule=*:storage=1G\nbob:{PLAIN}y\n');
    const users = await PasswdFileDirectory.load(path, () => undefined);
    expect(await users.lookup('carol')).toEqual({ name: 'carol', home: '/home/carol', maildir: '~/Mail' });
    expect(await users.lookup('bob')).toEqual({ name: 'bob', home: undefined, maildir: undefined });
    expect(await users.lookup('nobody')).toBeUndefined();
  });
});

describe('LDAP user filter', () => {
  it('puts %u, %n, %d in, escaped as RFC 4515 says', () => {
    expect(userFilter('(&(objectClass=inetOrgPerson)(uid=%n))', 'alice@example.org')).toBe('(&(objectClass=inetOrgPerson)(uid=alice))');
    expect(userFilter('(&(uid=%n)(dc=%d)(mail=%u))', 'a@b')).toBe('(&(uid=a)(dc=b)(mail=a@b))');
    expect(userFilter('(uid=%u)', '*)(uid=*')).toBe('(uid=\\2a\\29\\28uid=\\2a)');
    expect(userFilter('(uid=%u)', 'a\\b\u0000')).toBe('(uid=a\\5cb\\00)');
  });
});

describe('user source config', () => {
  it('needs the section of the chosen source', () => {
    expect(() => parseConfig({ users: { source: 'postgresql' } })).toThrow(/users\.source is postgresql: its section is missing/u);
    expect(parseConfig({ users: { source: 'ldap', ldap: { urls: ['ldap://127.0.0.1'], base: 'dc=x' } } }).users.ldap).toMatchObject({
      auth: 'bind',
      filter: '(&(objectClass=inetOrgPerson)(uid=%n))',
    });
  });

  it('refuses an unknown % variable in mail.maildir', () => {
    expect(() => parseConfig({ mail: { maildir: 'vmail/%d/%x/Maildir' } })).toThrow(/mail\.maildir: unknown variable %x/u);
    expect(parseConfig({ mail: { maildir: 'vmail/%d/%n/Maildir' } }).mail.maildir).toBe('vmail/%d/%n/Maildir');
  });
});
