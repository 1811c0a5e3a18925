import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, makeSite, startSite, type RunningDaemon, type Site } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { runCli, startCli } from '../support/run-cli.js';
import { compareBaseNames } from '../../src/maildir/name.js';

const MESSAGE = 'From: sender@example.org\r\nTo: bob@example.org\r\nSubject: hello\r\n\r\nHi Bob,\r\n.dot-stuffed? no: stored raw\r\n';

let site: Site;
let daemon: RunningDaemon | undefined;
afterEach(cleanUpDaemons);

const files = (user: string, sub: string): string[] => {
  const dir = join(site.maildir(user), sub);
  return existsSync(dir) ? readdirSync(dir) : [];
};
const deliver = (user: string, input: string | Buffer, extra: string[] = []): ReturnType<typeof runCli> =>
  runCli(['deliver', user, '--config', site.configFile, ...extra], input);

/** The failure is one line on stderr, naming the cause, and nothing reached new/ (or stayed in tmp/). */
function expectCleanFailure(result: Awaited<ReturnType<typeof runCli>>, code: number, cause: RegExp, user = 'bob'): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^pop3d: [^\n]+\n$/);
  expect(result.stderr).toMatch(cause);
  expect(files(user, 'new')).toEqual([]);
  expect(files(user, 'tmp')).toEqual([]);
}

describe('pop3d deliver', () => {
  it('delivers stdin byte for byte into new/, creating the Maildir, with the sizes in the name (0)', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    const result = await deliver('bob', MESSAGE);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const [name, ...others] = files('bob', 'new');
    expect(others).toEqual([]);
    expect(name).toMatch(new RegExp(`,S=${Buffer.byteLength(MESSAGE)},W=${Buffer.byteLength(MESSAGE)}$`));
    expect(readFileSync(join(site.maildir('bob'), 'new', name!), 'utf8')).toBe(MESSAGE);
    expect(files('bob', 'tmp')).toEqual([]);
    expect(readdirSync(site.maildir('bob')).sort()).toEqual(['cur', 'new', 'tmp']);
  });

  it('puts the welcome message first into a Maildir it creates', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    writeFileSync(join(site.dir, 'welcome.eml'), 'Subject: welcome\n\nhi\n');
    expect((await deliver('bob', MESSAGE, ['--set', 'mail.welcome=welcome.eml'])).code).toBe(0);
    // In the order POP3 lists them: by the names' time, not as strings (M99999 is before M100000).
    const contents = files('bob', 'new')
      .sort(compareBaseNames)
      .map((name) => readFileSync(join(site.maildir('bob'), 'new', name), 'utf8'));
    expect(contents).toEqual(['Subject: welcome\n\nhi\n', MESSAGE]);
  });

  it('keeps binary content and LF line ends as they are', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    const body = Buffer.concat([Buffer.from('Subject: bin\n\n'), Buffer.from([0, 0xff, 0x80, 0x0a, 0x2e, 0x0a])]);
    expect((await deliver('bob', body)).code).toBe(0);
    expect(readFileSync(join(site.maildir('bob'), 'new', files('bob', 'new')[0]!))).toEqual(body);
  });

  it('65: empty input (stdin closed before any data) is no message', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    expectCleanFailure(await deliver('bob', ''), 65, /empty message/);
  });

  it.each(['carol', '../alice', 'bob%u'])('67: %s is not in the users file', async (user) => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    const result = await deliver(user, MESSAGE);
    expect(result.code).toBe(67);
    expect(result.stderr).toMatch(/^pop3d: unknown user [^\n]+\n$/);
    expect(existsSync(join(site.dir, 'mail'))).toBe(false);
  });

  it('78: a broken config or a missing users file', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    expectCleanFailure(await deliver('bob', MESSAGE, ['--set', 'mail.maildir=no-placeholder']), 78, /invalid config: mail\.maildir: must contain %u/);
    expectCleanFailure(await deliver('bob', MESSAGE, ['--set', 'users.file=gone.passwd']), 78, /cannot read users file .*gone\.passwd: ENOENT/);
    writeFileSync(site.configFile, '{ "pop3": ');
    expectCleanFailure(await deliver('bob', MESSAGE), 78, /is not valid JSON/);
  });

  it('75: a Maildir that cannot be written (a file where a folder should be)', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    mkdirSync(join(site.dir, 'mail'));
    writeFileSync(join(site.dir, 'mail', 'bob'), 'not a folder');
    expectCleanFailure(await deliver('bob', MESSAGE), 75, /cannot deliver to bob, try again later: .*mail\/bob/);
  });

  it('75: new/ not writable leaves nothing in tmp/ or new/', async () => {
    site = makeSite({ users: { bob: 'pw' }, mail: { bob: [] } });
    rmSync(join(site.maildir('bob'), 'new'), { recursive: true });
    writeFileSync(join(site.maildir('bob'), 'new'), '');
    const result = await deliver('bob', MESSAGE);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/^pop3d: cannot deliver to bob, try again later: E[A-Z]+: [^\n]*new[^\n]*\n$/);
    expect(files('bob', 'tmp')).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('75: a Maildir without write permission', async () => {
    site = makeSite({ users: { bob: 'pw' }, mail: { bob: [] } });
    const { chmodSync } = await import('node:fs');
    chmodSync(join(site.maildir('bob'), 'tmp'), 0o500);
    expectCleanFailure(await deliver('bob', MESSAGE), 75, /EACCES/);
  });

  it('75: interrupted mid-message (the MTA gave up): the partial file is removed from tmp/', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    const { child, result } = startCli(['deliver', 'bob', '--config', site.configFile]);
    child.stdin!.write('From: a@example.org\r\nSubject: cut\r\n\r\nfirst half');
    for (let waited = 0; files('bob', 'tmp').length === 0; waited += 20) {
      if (waited > 10_000) throw new Error('the delivery never started writing to tmp/');
      await sleep(20);
    }
    child.kill('SIGTERM');
    expectCleanFailure(await result, 75, /interrupted by SIGTERM/);
  });

  it('64: no user, or more than one', async () => {
    site = makeSite({ users: { bob: 'pw' }, withoutMaildirs: true });
    expect((await runCli(['deliver', '--config', site.configFile], MESSAGE)).code).toBe(64);
    expect((await runCli(['deliver', 'bob', 'alice', '--config', site.configFile], MESSAGE)).code).toBe(64);
    expect(existsSync(join(site.dir, 'mail'))).toBe(false);
  });
});

describe('pop3d deliver beside the running daemon', () => {
  async function session(): Promise<RawClient> {
    const client = await RawClient.open(daemon!.ports.pop3!);
    await client.line();
    await client.command('USER bob');
    expect(await client.command('PASS pw')).toMatch(/^\+OK/);
    return client;
  }

  it('a message delivered during a session shows in the next session, not the current one', async () => {
    const old = 'Subject: old\r\n\r\nold\r\n';
    site = makeSite({ users: { bob: 'pw' }, mail: { bob: [old] } });
    daemon = await startSite({ site });
    const open = await session();
    expect(await open.command('STAT')).toBe(`+OK 1 ${old.length}`);

    // The session holds the maildrop lock; delivery into new/ does not need it.
    expect(await deliver('bob', MESSAGE)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await open.command('STAT')).toBe(`+OK 1 ${old.length}`);
    expect(await open.command('LIST 2')).toMatch(/^-ERR/);
    expect(await open.command('DELE 1')).toMatch(/^\+OK/);
    expect(await open.command('QUIT')).toMatch(/^\+OK/);
    await open.ended();

    const next = await session();
    expect(await next.command('STAT')).toBe(`+OK 1 ${Buffer.byteLength(MESSAGE)}`);
    next.send('RETR 1\r\n');
    expect(await next.multiline()).toBe(`+OK ${Buffer.byteLength(MESSAGE)} octets\r\n${MESSAGE.replace('\r\n.dot', '\r\n..dot')}.\r\n`);
    next.close();
  });
});
