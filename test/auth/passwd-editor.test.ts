import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PasswdFileDirectory } from '../../src/auth/passwd-directory.js';
import { addUser, removeUser, setPassword, UserEditError } from '../../src/auth/passwd-editor.js';

/** Simulates a crash between writing the temp file and renaming it over the original. */
const crash = vi.hoisted(() => ({ beforeRename: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: async (...args: Parameters<typeof actual.rename>) => {
      if (crash.beforeRename) throw new Error('simulated crash before rename');
      return actual.rename(...args);
    },
  };
});

const ORIGINAL = [
  '# Dovecot users, kept as they were',
  'alice:{PLAIN}old:1000:1000::/home/alice::userdb_mail=maildir:~/Maildir',
  '',
  '#bob:{PLAIN}disabled',
  'carol:{PLAIN}c',
  '',
].join('\n');

let folder: string;
let path: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'passwd-editor-'));
  path = join(folder, 'users.passwd');
  crash.beforeRename = false;
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function authenticates(name: string, password: string): Promise<boolean> {
  return (await PasswdFileDirectory.load(path, () => {})).authenticate(name, password);
}

describe('passwd editor', () => {
  it('creates a missing file with mode 0600 and a hashed password', async () => {
    await addUser(path, 'alice', 'wonderland');
    const text = await readFile(path, 'utf8');
    expect(text).toMatch(/^alice:\{ARGON2ID\}\$argon2id\$[^:\n]+\n$/);
    expect(text).not.toContain('wonderland');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await authenticates('alice', 'wonderland')).toBe(true);
  });

  it('adds, changes and removes a user, leaving comments and other users byte-identical', async () => {
    await writeFile(path, ORIGINAL);
    await addUser(path, 'dave', 'd-pw');
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(ORIGINAL)).toBe(true);
    expect(await authenticates('dave', 'd-pw')).toBe(true);

    const before = text.split('\n');
    await setPassword(path, 'alice', 'new-pw');
    const after = (await readFile(path, 'utf8')).split('\n');
    expect(after[1]).toMatch(/^alice:\{ARGON2ID\}\$argon2id\$[^:]+:1000:1000::\/home\/alice::userdb_mail=maildir:~\/Maildir$/);
    expect(after.filter((_, index) => index !== 1)).toEqual(before.filter((_, index) => index !== 1));
    expect(await authenticates('alice', 'new-pw')).toBe(true);
    expect(await authenticates('alice', 'old')).toBe(false);

    await removeUser(path, 'dave');
    await removeUser(path, 'alice');
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL.replace(/^alice:.*\n/m, ''));
  });

  it('refuses to add an existing user and to change or remove a missing one', async () => {
    await writeFile(path, ORIGINAL);
    await expect(addUser(path, 'carol', 'x')).rejects.toThrow(new UserEditError('user carol already exists'));
    await expect(setPassword(path, 'bob', 'x')).rejects.toThrow(new UserEditError('no user bob'));
    await expect(removeUser(path, 'bob')).rejects.toThrow(UserEditError);
    await expect(removeUser(join(folder, 'absent'), 'bob')).rejects.toThrow(UserEditError);
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL);
  });

  it('refuses a password longer than a POP3 PASS line can carry', async () => {
    await expect(addUser(path, 'dave', 'x'.repeat(250))).resolves.toBeUndefined();
    await expect(addUser(path, 'erin', 'é'.repeat(126))).rejects.toThrow(/longer than 250 octets/);
  });

  it('refuses names and passwords that could corrupt the file or a path', async () => {
    await writeFile(path, ORIGINAL);
    for (const name of ['', 'a:b', '#x', 'a b', '../x', 'a\nb']) {
      await expect(addUser(path, name, 'pw')).rejects.toThrow(UserEditError);
    }
    for (const password of ['', 'line\nbreak', 'cr\r', 'nul\u0000']) {
      await expect(addUser(path, 'eve', password)).rejects.toThrow(UserEditError);
    }
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL);
  });

  it('keeps the mode of an existing file', async () => {
    await writeFile(path, ORIGINAL);
    await chmod(path, 0o640);
    await addUser(path, 'dave', 'd');
    expect((await stat(path)).mode & 0o777).toBe(0o640);
  });

  it('edits the target of a symlink and keeps the link', async () => {
    const target = join(folder, 'real.passwd');
    await writeFile(target, ORIGINAL);
    await symlink(target, path);
    await addUser(path, 'dave', 'd');
    expect((await lstat(path)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toMatch(/\ndave:\{ARGON2ID\}/);
  });

  it('serialises concurrent edits of one file: none is lost', async () => {
    await writeFile(path, ORIGINAL);
    const names = ['u1', 'u2', 'u3', 'u4', 'u5'];
    await Promise.all([...names.map((name) => addUser(path, name, `${name}-pw`)), removeUser(path, 'carol')]);
    const users = await PasswdFileDirectory.load(path, () => {});
    expect(await users.list()).toEqual(expect.arrayContaining(['alice', ...names]));
    expect(await users.exists('carol')).toBe(false);
  });

  it('leaves the original intact and no temp file when it dies before the rename', async () => {
    await writeFile(path, ORIGINAL);
    crash.beforeRename = true;
    await expect(addUser(path, 'dave', 'd')).rejects.toThrow('simulated crash before rename');
    expect(await readFile(path, 'utf8')).toBe(ORIGINAL);
    expect(await readdir(folder)).toEqual(['users.passwd']);

    crash.beforeRename = false;
    await addUser(path, 'dave', 'd');
    expect(await authenticates('dave', 'd')).toBe(true);
  });
});
