import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDirectory } from '../../src/auth/open-directory.js';
import { parseConfig } from '../../src/config/load.js';
import { AdminRefusal, directoryAdmin } from '../../src/push3/user-admin.js';
import { tempDir } from '../support/temp-dir.js';

async function setup() {
  const file = join(await tempDir(), 'users.passwd');
  await writeFile(file, '# users\nalice:{PLAIN}secret\nroot:{PLAIN}toor\n');
  const directory = await openDirectory(parseConfig({ users: { file } }), { log: () => undefined });
  return { file, directory, admin: directoryAdmin(directory) };
}

describe('users file admin (the directory\'s edits + reload)', () => {
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

  it('refuses an edit the directory cannot make as unavailable, keeping the failure as its cause for the log', async () => {
    const { file, admin } = await setup();
    // The users file's folder is gone: the edit's temporary file cannot be written.
    await rm(dirname(file), { recursive: true });
    const refusal = await admin.add('bob', 'pw').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(AdminRefusal);
    expect(refusal).toMatchObject({ message: 'User directory unavailable, try again later' });
    expect(String((refusal as AdminRefusal).cause)).toMatch(/edit failed: ENOENT/);
  });
});
