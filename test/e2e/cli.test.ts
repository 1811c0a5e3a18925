import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSite, type Site } from '../support/daemon.js';
import { runCli } from '../support/run-cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };

let site: Site | undefined;
afterEach(() => {
  site?.remove();
  site = undefined;
});

describe('pop3d', () => {
  it('--version prints the version of package.json', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `pop3d ${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every command and exits 0; no command at all is a usage error (64) on stderr', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'check-config', 'user', 'deliver', 'uidl']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const bare = await runCli([]);
    expect(bare).toMatchObject({ code: 64, stdout: '' });
    expect(bare.stderr).toContain('Usage: pop3d <command>');
  });

  it.each(['serve', 'check-config', 'user', 'deliver', 'uidl'])('%s --help shows its usage and exits 0 without doing anything', async (command) => {
    const result = await runCli([command, '--help', '--config', '/nonexistent.json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: pop3d ${command}`));
    expect(result.stdout).toContain('--set KEY=VALUE');
    expect(await runCli(['help', command])).toEqual(result);
  });

  it.each([
    [['bogus'], "unknown command 'bogus'"],
    [['serve', '--bogus'], "Unknown option '--bogus'"],
    [['serve', 'extra'], 'serve takes no arguments'],
    [['deliver'], 'usage: pop3d deliver'],
    [['deliver', 'a', 'b'], 'usage: pop3d deliver'],
    [['user', 'frob', 'bob'], 'usage: pop3d user'],
    [['user', 'add'], 'usage: pop3d user'],
    [['user', 'list', 'bob'], 'usage: pop3d user'],
    [['check-config', '--config'], "Option '--config <value>' argument missing"],
    [['uidl'], 'usage: pop3d uidl'],
    [['uidl', 'a', 'b'], 'usage: pop3d uidl'],
  ])('%j is a usage error: 64 and one line on stderr', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('pop3d check-config', () => {
  it('prints the effective config, defaults filled in and paths absolute', async () => {
    site = makeSite();
    const result = await runCli(['check-config', '--config', site.configFile]);
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    expect(config.pop3).toMatchObject({ host: '127.0.0.1', port: 0, idleTimeout: 600 });
    expect(config.mail).toMatchObject({ maildir: `${site.dir}/mail/%u/Maildir`, autocreate: false, lockStaleSeconds: 30 });
    expect(config.users).toEqual({
      source: 'passwd-file',
      file: `${site.dir}/users.passwd`,
      timeout: 5,
      cache: { ttl: 60, negativeTtl: 10, size: 10_000 },
    });
    expect(config.shutdown).toEqual({ graceSeconds: 10 });
  });

  it('uses the embedded config/default.json without --config', async () => {
    const result = await runCli(['check-config']);
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as { users: { file: string }; pop3: { port: number } };
    expect(config.users.file).toBe(resolve(ROOT, 'config/users.passwd'));
    expect(config.pop3.port).toBe(1110);
  });

  it('applies the environment over the file and --set flags over both', async () => {
    site = makeSite({ config: { pop3: { port: 1000 } } });
    const env = { POP3D_POP3_PORT: '2000', POP3D_MAIL_LOCK_STALE_SECONDS: '45', POP3D_LOG_LEVEL: 'warn' };
    const result = await runCli(['check-config', '--config', site.configFile, '--set', 'pop3.port=3000', '--set', 'log.level=debug'], '', env);
    const config = JSON.parse(result.stdout) as { pop3: { port: number }; mail: { lockStaleSeconds: number }; log: { level: string } };
    expect([config.pop3.port, config.mail.lockStaleSeconds, config.log.level]).toEqual([3000, 45, 'debug']);
    const envOnly = JSON.parse((await runCli(['check-config', '--config', site.configFile], '', env)).stdout) as typeof config;
    expect(envOnly.pop3.port).toBe(2000);
  });

  it('exits 1 naming the bad key path, and prints no config', async () => {
    site = makeSite({ config: { pop3: { port: 70000 }, mail: { lockStaleSeconds: 1 } } });
    const bad = await runCli(['check-config', '--config', site.configFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^pop3d: invalid config: pop3\.port: .*65535.*; mail\.lockStaleSeconds: .*2\n$/);
    const typo = await runCli(['check-config', '--config', site.configFile, '--set', 'pop3.port=1', '--set', 'mail.lockStaleSeconds=5', '--set', 'log.levle=info']);
    expect(typo).toMatchObject({ code: 1, stderr: 'pop3d: invalid config: log.levle: unknown key\n' });
    const env = await runCli(['check-config', '--config', site.configFile], '', { POP3D_NOSECTIONKEY: '1' });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('nosectionkey: unknown key');
  });

  it('exits 1 for a config file that is missing or not JSON', async () => {
    const missing = await runCli(['check-config', '--config', '/nonexistent/pop3d.json']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^pop3d: cannot read config \/nonexistent\/pop3d\.json: ENOENT/);
  });

  it('accepts the example production config (ports, paths as documented)', async () => {
    const result = await runCli(['check-config', '--config', resolve(ROOT, 'config/examples/production.json')]);
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout) as {
      pop3: { port: number };
      pop3s: { port: number };
      tls: { cert: string };
      mail: { maildir: string };
      users: { file: string };
    };
    expect([config.pop3.port, config.pop3s.port]).toEqual([110, 995]);
    expect(config.tls.cert).toBe('/etc/pop3d/tls/fullchain.pem');
    expect(config.mail.maildir).toBe('/var/mail/%u/Maildir');
    expect(config.users.file).toBe('/etc/pop3d/users.passwd');
  });
});

describe('pop3d uidl', () => {
  it('prints what UIDL answers, in order, without moving or flagging anything', async () => {
    site = makeSite({ mail: { alice: ['one\n', 'two\n'] } });
    const result = await runCli(['uidl', 'alice', '--config', site.configFile]);
    expect(result).toEqual({ code: 0, stdout: '1 1700000000.M0P1.test\n2 1700000001.M1P1.test\n', stderr: '' });
    expect(readdirSync(join(site.maildir('alice'), 'new')).sort()).toEqual(['1700000000.M0P1.test', '1700000001.M1P1.test']);
    expect(readdirSync(site.maildir('alice'))).not.toContain('pop3d.lock');
  });

  it('expands mail.uidlFormat, numbering new mail in dovecot-uidlist', async () => {
    site = makeSite({ mail: { alice: ['one\n', 'two\n'] } });
    const result = await runCli(['uidl', 'alice', '--config', site.configFile, '--set', 'mail.uidlFormat=%u-%f']);
    expect(result.stdout).toBe('1 1-1700000000.M0P1.test\n2 2-1700000001.M1P1.test\n');
    expect(readFileSync(join(site.maildir('alice'), 'dovecot-uidlist'), 'utf8')).toMatch(/ N3 /u);
  });

  it('exits 67 for an unknown user, 75 for a corrupt uidlist, 78 for an unknown format variable', async () => {
    site = makeSite({ mail: { alice: ['one\n'] } });
    expect((await runCli(['uidl', 'bob', '--config', site.configFile])).code).toBe(67);
    writeFileSync(join(site.maildir('alice'), 'dovecot-uidlist'), '3 V1 N2\n1 :x');
    const corrupt = await runCli(['uidl', 'alice', '--config', site.configFile, '--set', 'mail.uidlFormat=%u']);
    expect(corrupt.code).toBe(75);
    expect(corrupt.stderr).toMatch(/dovecot-uidlist is corrupt/u);
    const badFormat = await runCli(['uidl', 'alice', '--config', site.configFile, '--set', 'mail.uidlFormat=%m']);
    expect(badFormat.code).toBe(78);
    expect(badFormat.stderr).toMatch(/mail\.uidlFormat: unknown variable/u);
  });
});
