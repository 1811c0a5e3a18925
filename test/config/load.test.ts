import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, resolvePaths } from '../../src/config/load.js';
import { envOverrides, parseSetFlag } from '../../src/config/overrides.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pop3d-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function configFile(raw: unknown): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, typeof raw === 'string' ? raw : JSON.stringify(raw));
  return file;
}

describe('loadConfigFile with overrides', () => {
  it('applies file < environment < flags, in that order', () => {
    const file = configFile({ pop3: { port: 1 }, log: { level: 'warn' } });
    const config = loadConfigFile(file, [
      ...envOverrides({ POP3D_POP3_PORT: '2', POP3D_POP3_IDLE_TIMEOUT: '900' }),
      ...['pop3.port=3', 'pop3.port=4'].map(parseSetFlag),
    ]);
    expect(config.pop3).toMatchObject({ host: '127.0.0.1', port: 4, idleTimeout: 900 });
    expect(config.log.level).toBe('warn');
  });

  it('names the key path of an override the schema refuses', () => {
    const file = configFile({});
    expect(() => loadConfigFile(file, envOverrides({ POP3D_MAIL_LOCK_STALE_SECONDS: 'soon' }))).toThrow(
      /^invalid config: mail\.lockStaleSeconds: .*number/,
    );
    expect(() => loadConfigFile(file, [parseSetFlag('pop3.prot=1')])).toThrow('invalid config: pop3.prot: unknown key');
    expect(() => loadConfigFile(file, [parseSetFlag('nosuch.key=1')])).toThrow('invalid config: nosuch: unknown key');
  });

  it('resolves relative paths, overridden ones included, against the config file folder', () => {
    const config = loadConfigFile(configFile({}), [parseSetFlag('users.file=etc/users'), parseSetFlag('mail.maildir=/abs/%u')]);
    expect(config.users.file).toBe(join(dir, 'etc/users'));
    expect(config.mail.maildir).toBe('/abs/%u');
  });

  it('reports a file that is not JSON or not there as a ConfigError naming the file', () => {
    expect(() => loadConfigFile(configFile('{ nope'))).toThrow(/^config .*config\.json is not valid JSON/);
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(ConfigError);
    expect(() => loadConfigFile(join(dir, 'missing.json'))).toThrow(/^cannot read config .*missing\.json/);
  });
});

describe('resolvePaths', () => {
  it('resolves the certificate paths against the config file folder', () => {
    const config = resolvePaths(parseConfig({ tls: { cert: 'tls/cert.pem', key: '/etc/ssl/key.pem' } }), '/etc/pop3d');
    expect(config.tls).toEqual({ cert: '/etc/pop3d/tls/cert.pem', key: '/etc/ssl/key.pem' });
  });
});
