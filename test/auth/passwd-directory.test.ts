import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatProblem, PasswdFileDirectory, type UsersFileProblem } from '../../src/auth/passwd-directory.js';
import { PASSWORD_SCHEMES } from '../../src/auth/password-schemes.js';
import { tempDir } from '../support/temp-dir.js';

let sha512: string;
let argon2id: string;

beforeAll(async () => {
  sha512 = execFileSync('openssl', ['passwd', '-6', '-salt', 'dirsalt', 'sha-pw'], { encoding: 'utf8' }).trim();
  argon2id = await argon2Hash('argon-pw', { memoryCost: 1024, timeCost: 1 });
});

let folder: string;
let path: string;
let logged: string[];
const log = (problem: UsersFileProblem): void => {
  logged.push(formatProblem(problem));
};

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'passwd-directory-'));
  path = join(folder, 'users.passwd');
  logged = [];
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(folder, { recursive: true, force: true });
});

function usersFile(): string {
  return [
    '# migrated from Dovecot',
    'plain:{PLAIN}plain-pw:1000:1000::/home/plain::userdb_mail=maildir:~/Maildir',
    `sha:{SHA512-CRYPT}${sha512}`,
    `argon:${argon2id}`,
    'odd:{MD4}c2VjcmV0',
    'broken:{ARGON2ID}$argon2id$not-a-hash',
    'nopass',
    'bad name:{PLAIN}x',
    '',
  ].join('\n');
}

async function load(text = usersFile()): Promise<PasswdFileDirectory> {
  await writeFile(path, text);
  return PasswdFileDirectory.load(path, log);
}

describe('PasswdFileDirectory', () => {
  it('authenticates each user with its own scheme', async () => {
    const users = await load();
    expect(await users.authenticate('plain', 'plain-pw')).toBe(true);
    expect(await users.authenticate('sha', 'sha-pw')).toBe(true);
    expect(await users.authenticate('argon', 'argon-pw')).toBe(true);
    expect(await users.authenticate('plain', 'sha-pw')).toBe(false);
    expect(await users.authenticate('sha', 'plain-pw')).toBe(false);
    expect(await users.authenticate('argon', '')).toBe(false);
  });

  it('reports bad lines and unusable passwords with path and line, without secrets', async () => {
    await load();
    expect(logged).toEqual([
      `${path}:8: user name "bad name" contains whitespace`,
      `${path}:5: user odd: unknown password scheme {MD4}; login disabled`,
      `${path}:7: user nopass: no password; login disabled`,
    ]);
  });

  it('hands problems to the logger as structured fields', async () => {
    const problems: UsersFileProblem[] = [];
    await writeFile(path, 'ok:{PLAIN}x\nodd:{MD4}c2VjcmV0\n');
    await PasswdFileDirectory.load(path, (problem) => problems.push(problem));
    expect(problems).toEqual([{ path, line: 2, user: 'odd', reason: 'unknown password scheme {MD4}; login disabled' }]);
  });

  it('refuses users whose password cannot be checked, but lists them as existing', async () => {
    const users = await load();
    expect(await users.authenticate('odd', 'secret')).toBe(false);
    expect(await users.authenticate('nopass', '')).toBe(false);
    expect(await users.exists('odd')).toBe(true);
    expect(await users.exists('nopass')).toBe(true);
  });

  it('treats a malformed hash as a mismatch and logs it', async () => {
    const users = await load();
    expect(await users.authenticate('broken', 'anything')).toBe(false);
    expect(logged.at(-1)).toMatch(new RegExp(`^${path}: user broken: ARGON2ID secret cannot be checked`));
  });

  it('checks an unknown user against the strongest scheme in use, then refuses', async () => {
    const users = await load();
    const argon2 = PASSWORD_SCHEMES.find((scheme) => scheme.name === 'ARGON2ID');
    const spy = vi.spyOn(argon2 as (typeof PASSWORD_SCHEMES)[number], 'verify');
    expect(await users.authenticate('nobody', 'argon-pw')).toBe(false);
    expect(await users.authenticate('odd', 'argon-pw')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy).toHaveBeenCalledWith('argon-pw', argon2id);
  });

  it('refuses an unknown user when the file has no usable credential at all', async () => {
    const users = await load('# empty\n');
    expect(await users.authenticate('nobody', 'x')).toBe(false);
  });

  it('gives the plaintext secret for PLAIN users only', async () => {
    const users = await load();
    expect(await users.plaintextSecret('plain')).toBe('plain-pw');
    expect(await users.plaintextSecret('sha')).toBeUndefined();
    expect(await users.plaintextSecret('argon')).toBeUndefined();
    expect(await users.plaintextSecret('odd')).toBeUndefined();
    expect(await users.plaintextSecret('nobody')).toBeUndefined();
  });

  it('lists users in file order and answers exists', async () => {
    const users = await load();
    expect(await users.list()).toEqual(['plain', 'sha', 'argon', 'odd', 'broken', 'nopass']);
    expect(await users.exists('sha')).toBe(true);
    expect(await users.exists('bad name')).toBe(false);
    expect(await users.exists('nobody')).toBe(false);
  });

  it('rejects a missing file with an error naming the path', async () => {
    await expect(PasswdFileDirectory.load(join(folder, 'absent.passwd'), log)).rejects.toThrow(
      `cannot read users file ${join(folder, 'absent.passwd')}`,
    );
  });

  it('reload picks up edits and keeps the old users when the file became unreadable', async () => {
    const users = await load('alice:{PLAIN}a\n');
    await writeFile(path, 'bob:{PLAIN}b\n');
    await users.reload();
    expect(await users.list()).toEqual(['bob']);
    expect(await users.authenticate('bob', 'b')).toBe(true);

    await unlink(path);
    await expect(users.reload()).rejects.toThrow(path);
    expect(await users.authenticate('bob', 'b')).toBe(true);
    expect(await users.authenticate('alice', 'a')).toBe(false);
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
