import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSite, type Site } from '../support/daemon.js';
import { runCli } from './run-cli.js';

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
    for (const command of ['serve', 'check-config', 'user', 'deliver']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const bare = await runCli([]);
    expect(bare).toMatchObject({ code: 64, stdout: '' });
    expect(bare.stderr).toContain('Usage: pop3d <command>');
  });

  it.each(['serve', 'check-config', 'user', 'deliver'])('%s --help shows its usage and exits 0 without doing anything', async (command) => {
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
