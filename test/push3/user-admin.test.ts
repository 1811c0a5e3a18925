import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PasswdFileDirectory } from '../../src/auth/passwd-directory.js';
import { AdminRefusal, passwdFileAdmin } from '../../src/push3/user-admin.js';
import { tempDir } from '../support/temp-dir.js';

async function setup() {
  const file = join(await tempDir(), 'users.passwd');
  await writeFile(file, '# users\nalice:{PLAIN}secret\nroot:{PLAIN}toor\n');
  const directory = await PasswdFileDirectory.load(file, () => undefined);
  return { file, directory, admin: passwdFileAdmin(file, directory) };
}

describe('users file admin (passwd editor + directory reload)', () => {
  it('adds, re-passwords and removes users; each change is visible to logins at once', async () => {
    const { file, directory, admin } = await setup();
    await admin.add('bob', 'pw1');
    expect(await directory.authenticate('bob', 'pw1')).toBe(true);
    await admin.passwd('bob', 'pw2');
    expect(await directory.authenticate('bob', 'pw1')).toBe(false);
    expect(await directory.authenticate('bob', 'pw2')).toBe(true);
    await admin.remove('alice');
    expect(await directory.authenticate('alice', 'secret')).toBe(false);
    expect(await admin.list()).toEqual(['root', 'bob']);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^# users\nroot:\{PLAIN\}toor\nbob:\{[A-Z0-9-]+\}\S+\n$/);
    expect(text).not.toContain('pw2'); // stored hashed
  });

  it('turns the editor\'s refusals into AdminRefusal, leaving the file alone', async () => {
    const { file, admin } = await setup();
    const before = await readFile(file, 'utf8');
    await expect(admin.add('alice', 'x')).rejects.toBeInstanceOf(AdminRefusal);
    await expect(admin.remove('carol')).rejects.toBeInstanceOf(AdminRefusal);
    await expect(admin.passwd('carol', 'x')).rejects.toBeInstanceOf(AdminRefusal);
    await expect(admin.add('#bad', 'x')).rejects.toBeInstanceOf(AdminRefusal);
    expect(await readFile(file, 'utf8')).toBe(before);
  });
});
