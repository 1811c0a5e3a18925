import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDirectory } from '../../src/auth/open-directory.js';
import { parseConfig } from '../../src/config/load.js';
import { AdminRefusal, directoryAdmin } from '../../src/push3/user-admin.js';
import { tempDir } from '../mail/temp-dir.js';

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
});
