import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PasswdFileDirectory } from '../../src/auth/passwd-directory.js';
import { CLI, makeSite, type Site } from '../support/daemon.js';
import { python } from '../support/processes.js';
import { runCli } from '../support/run-cli.js';

let site: Site;
afterEach(() => site?.remove());

const users = (): string => readFileSync(join(site.dir, 'users.passwd'), 'utf8');
const login = async (name: string, password: string): Promise<boolean> =>
  (await PasswdFileDirectory.load(join(site.dir, 'users.passwd'), () => undefined)).authenticate(name, password);
const user = (args: string[], input = ''): ReturnType<typeof runCli> => runCli(['user', ...args, '--config', site.configFile], input);

describe('pop3d user', () => {
  it('add stores the password from stdin hashed (Argon2id), never in plaintext', async () => {
    site = makeSite({ users: { alice: 'secret' } });
    const result = await user(['add', 'bob'], 'correct horse\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`added user bob to ${site.dir}/users.passwd\n`);
    expect(result.stderr).toContain('reload');
    expect(users()).toMatch(/^alice:\{PLAIN\}secret\nbob:\{ARGON2ID\}\$argon2id\$/);
    expect(users()).not.toContain('correct horse');
    expect(await login('bob', 'correct horse')).toBe(true);
  });

  it('ten adds run at once as ten processes: every one reported added is in the file', async () => {
    site = makeSite({ users: { alice: 'secret' } });
    const names = Array.from({ length: 10 }, (_, i) => `u${i}`);
    const results = await Promise.all(names.map((name) => user(['add', name], `${name}-pw\n`)));
    expect(results.map((result) => result.code)).toEqual(names.map(() => 0));
    expect((await user(['list'])).stdout.split('\n').filter(Boolean).sort()).toEqual(['alice', ...names].sort());
    expect(readFileSync(join(site.dir, 'users.passwd'), 'utf8')).not.toContain('-pw');
  });

  it('list prints the names; passwd changes a password; remove drops the user', async () => {
    site = makeSite({ users: { alice: 'secret', carol: 'x' } });
    expect(await user(['list'])).toMatchObject({ code: 0, stdout: 'alice\ncarol\n' });
    expect((await user(['passwd', 'alice'], 'n3w')).code).toBe(0);
    expect(await login('alice', 'n3w')).toBe(true);
    expect(await login('alice', 'secret')).toBe(false);
    expect((await user(['remove', 'carol'])).code).toBe(0);
    expect(await user(['list'])).toMatchObject({ code: 0, stdout: 'alice\n' });
  });

  it.each([
    [['add', 'alice'], 'pw', 'user alice already exists'],
    [['passwd', 'nobody'], 'pw', 'no user nobody'],
    [['remove', 'nobody'], '', 'no user nobody'],
    [['add', 'bob'], '', 'password is empty'],
    [['add', 'bob'], 'two\nlines\n', 'password contains a control character'],
    [['add', '../evil'], 'pw', 'user name "../evil"'],
  ])('%j is refused with exit 1, leaving the file as it was', async (args, input, message) => {
    site = makeSite({ users: { alice: 'secret' } });
    const before = users();
    const result = await user(args, input);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^pop3d: .*${message.replace(/[.*?()[\]{}]/g, '\\$&')}`));
    expect(users()).toBe(before);
  });

  it('keeps the mode of the users file across an edit', async () => {
    site = makeSite({ users: { alice: 'secret' } });
    chmodSync(join(site.dir, 'users.passwd'), 0o640);
    expect((await user(['add', 'bob'], 'pw')).code).toBe(0);
    expect(statSync(join(site.dir, 'users.passwd')).mode & 0o777).toBe(0o640);
  });

  it('list fails (1) when the users file cannot be read; a broken config is 78', async () => {
    site = makeSite();
    expect(await user(['list', '--set', 'users.file=missing'])).toMatchObject({ code: 1 });
    const broken = await user(['list', '--set', 'pop3.port=-1']);
    expect(broken.code).toBe(78);
    expect(broken.stderr).toMatch(/^pop3d: invalid config: pop3\.port: /);
  });

  describe('at a terminal', () => {
    // A real pseudo-terminal: the prompt must not echo what is typed.
    const PTY = `
import json, os, pty, sys, time
cli, config, typed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execvp('node', ['node', cli, 'user', 'add', 'dave', '--config', config])
out = b''
def read_until(marker, start):
    global out
    while marker not in out[start:]:
        out += os.read(fd, 1024)
    return out.index(marker, start) + len(marker)
seen = 0
for answer in typed:
    seen = read_until(b'password: ', seen)
    os.write(fd, answer.encode())
try:
    while True:
        chunk = os.read(fd, 1024)
        if not chunk: break
        out += chunk
except OSError:
    pass
_, status = os.waitpid(pid, 0)
print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'out': out.decode('utf8', 'replace')}))
`;

    it('prompts twice without echo and stores the hash', async () => {
      site = makeSite({ users: { alice: 'secret' } });
      const result = await python<{ code: number; out: string }>(PTY, CLI, site.configFile, JSON.stringify(['hunter2x\r', 'hunter2x\r']));
      expect(result.code).toBe(0);
      expect(result.out).toContain('New password: ');
      expect(result.out).toContain('Retype new password: ');
      expect(result.out).not.toContain('hunter2x');
      expect(await login('dave', 'hunter2x')).toBe(true);
    });

    it('refuses when the two entries differ, and changes nothing', async () => {
      site = makeSite({ users: { alice: 'secret' } });
      const before = users();
      const result = await python<{ code: number; out: string }>(PTY, CLI, site.configFile, JSON.stringify(['one\r', 'two\r']));
      expect(result.code).toBe(1);
      expect(result.out).toContain('the passwords do not match');
      expect(users()).toBe(before);
    });
  });
});
