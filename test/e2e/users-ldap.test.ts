import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LdapSource } from '../../src/auth/sources/ldap.js';
import { ldapSchema } from '../../src/config/user-sources.js';
import { runCli } from '../support/run-cli.js';
import { cleanUpDaemons, startSite, type RunningSite, type Site, type StartOptions } from '../support/daemon.js';
import { freePort } from '../support/free-port.mjs';
import { plainLogin, userPassLogin } from '../support/logins.js';
import { RawClient } from '../support/pop3-client.js';
import { startSlapd, type PrivateSlapd } from '../support/slapd.js';

/*
 * Users in a real OpenLDAP slapd (Debian's package, started privately with a generated config and the LDIF of
 * config/examples), served by the built daemon: bind and userPassword authentication, Maildirs from
 * attributes, filter injection attempts, delivery, and the server stopped and started again.
 */

let ldap: PrivateSlapd;
let homes: string;
/** The daemon of the running test, for the helpers below. */
let daemon: RunningSite;
/** A port nobody listens on, listed first: the next URL must be tried. */
let deadUrl: string;

beforeAll(async () => {
  homes = mkdtempSync(join(tmpdir(), 'pop3d-homes-'));
  ldap = await startSlapd(homes);
  deadUrl = `ldap://127.0.0.1:${await freePort()}`;
}, 60_000);
afterAll(async () => {
  await ldap?.remove();
  rmSync(homes, { recursive: true, force: true });
});
afterEach(cleanUpDaemons);

function maildir(path: string): string {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(path, sub), { recursive: true });
  return path;
}

/** The users' Maildirs: alice's and bob's under mail.maildir, carol's in her LDAP home. */
function prepare(site: Site): void {
  writeFileSync(join(maildir(join(site.dir, 'mail', 'alice', 'Maildir')), 'new', '1700000000.M1P1.test'), 'Subject: hi\n\nalice\n');
  maildir(join(site.dir, 'mail', 'bob', 'Maildir'));
  maildir(join(homes, 'carol', 'Maildir'));
}

/** A site whose users are in the private slapd; `ldapSettings` are laid over its users.ldap section. */
const inLdap = (ldapSettings: Record<string, unknown> = {}): StartOptions => ({
  users: {},
  config: {
    mail: { maildir: 'mail/%n/Maildir' },
    auth: { failureDelay: 0 },
    users: {
      source: 'ldap',
      timeout: 2,
      ldap: {
        urls: [deadUrl, ldap.url],
        bindDn: 'cn=pop3d,dc=example,dc=org',
        bindPassword: 'service-pw',
        base: 'ou=people,dc=example,dc=org',
        maildirAttribute: 'pop3dMaildir',
        homeAttribute: 'homeDirectory',
        ...ldapSettings,
      },
    },
    push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['alice'] },
    prometheus: { host: '127.0.0.1', port: 0 },
  },
  listeners: ['pop3', 'push3'],
  prepare,
});

const login = (name: string, password: string): Promise<string> => userPassLogin(daemon.port('pop3'), name, password);
const plain = (name: string, password: string): Promise<string> => plainLogin(daemon.port('pop3'), name, password);

async function pop3(): Promise<{ client: RawClient; greeting: string }> {
  const client = await RawClient.open(daemon.port('pop3'));
  return { client, greeting: await client.line() };
}

const FAILED = '-ERR [AUTH] Authentication failed.';

describe('users in LDAP', () => {
  it('authenticates by binding as the user; Maildirs from mail.maildir or the attribute with ~ for home', async () => {
    daemon = await startSite(inLdap());
    expect(await login('alice', 'secret')).toBe('+OK Logged in: 1 message (22 octets)');
    expect(await login('Alice', 'secret')).toMatch(/^\+OK/);
    expect(await plain('bob', 'b0b-pw')).toBe('+OK Logged in: 0 messages (0 octets)');
    expect(await login('carol', 'carol-pw')).toBe('+OK Logged in: 0 messages (0 octets)');
    expect(await login('alice', 'wrong')).toBe(FAILED);
    expect(await login('nobody', 'secret')).toBe(FAILED);

    // APOP needs a secret to hash, and a bind-authenticated user has none here.
    const { client, greeting } = await pop3();
    const stamp = /<[^>]+>/.exec(greeting)![0];
    expect(await client.command(`APOP alice ${createHash('md5').update(`${stamp}secret`).digest('hex')}`)).toBe(FAILED);
    client.close();

    const admin = await RawClient.open(daemon.port('push3'));
    await admin.line();
    expect(await admin.command('LOGIN alice secret')).toBe('->SUCCESS: Logged in as alice');
    expect(await admin.command('USERS')).toBe('->SUCCESS: alice bob carol');
    expect(await admin.command('ADDUSER dave pw')).toBe('->FAIL: adding users is not configured for the ldap user source');
    admin.close();
  });

  it('never takes an empty password for a bind (the server would accept it as anonymous)', async () => {
    const settings = ldapSchema.parse({ urls: [ldap.url], base: 'ou=people,dc=example,dc=org' });
    const source = new LdapSource(settings, 2000, () => undefined);
    const dn = 'uid=alice,ou=people,dc=example,dc=org';
    expect(await source.bind(dn, '')).toBe(false);
    expect(await source.bind(dn, 'wrong')).toBe(false);
    expect(await source.bind(dn, 'secret')).toBe(true);
    // The filter's values are escaped: the search finds nobody, however the name is made.
    expect(await source.find('*')).toBeUndefined();
    expect(await source.find('alice')).toMatchObject({ record: { name: 'alice' }, verifier: { kind: 'bind', dn } });
  });

  it('speaks TLS: ldaps:// and StartTLS, verifying the server against caFile', async () => {
    daemon = await startSite(inLdap({ urls: [ldap.ldapsUrl], caFile: ldap.caFile }));
    expect(await login('alice', 'secret')).toMatch(/^\+OK/);
    await cleanUpDaemons();
    daemon = await startSite(inLdap({ urls: [ldap.url], startTls: true, caFile: ldap.caFile }));
    expect(await login('bob', 'b0b-pw')).toMatch(/^\+OK/);
    await cleanUpDaemons();
    // Without the CA, the self-signed certificate is not trusted: unavailable, never an unverified login.
    daemon = await startSite(inLdap({ urls: [ldap.ldapsUrl] }));
    expect(await login('alice', 'secret')).toBe('-ERR [SYS/TEMP] User directory unavailable, try again later');
  });

  it('escapes filter values (RFC 4515): names with filter syntax find nobody', async () => {
    daemon = await startSite(inLdap());
    for (const name of ['*', '*)(uid=*', 'alice)(|(uid=*', 'al*', 'alice)(objectClass=*']) {
      expect(await login(name, 'secret')).toBe(FAILED);
    }
    expect(await plain('*)(uid=*))(|(uid=*', 'secret')).toBe(FAILED);
    const { client } = await pop3();
    expect(await client.command(`AUTH PLAIN ${Buffer.from('\0alice\0\0x\0secret').toString('base64')}`)).toMatch(/^-ERR/);
    client.close();
  });

  it('checks userPassword ({SSHA}) itself with auth: password', async () => {
    daemon = await startSite(inLdap({ auth: 'password' }));
    expect(await login('alice', 'secret')).toMatch(/^\+OK/);
    expect(await login('alice', 'secret2')).toBe(FAILED);
    expect(await plain('bob', 'b0b-pw')).toMatch(/^\+OK/);
  });

  it('delivers to a user who exists only in the directory', async () => {
    daemon = await startSite(inLdap());
    expect(await runCli(['deliver', 'bob', '--config', daemon.site.configFile], 'Subject: for bob\n\nhi\n')).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(join(daemon.site.dir, 'mail', 'bob', 'Maildir', 'new'))).toHaveLength(1);
    expect((await runCli(['deliver', 'nobody', '--config', daemon.site.configFile], 'x\n')).code).toBe(67);
  });

  it('answers -ERR [SYS/TEMP] while the server is down, and recovers without a restart', async () => {
    daemon = await startSite(inLdap());
    await ldap.stop();
    try {
      expect(await login('alice', 'secret')).toBe('-ERR [SYS/TEMP] User directory unavailable, try again later');
      expect((await runCli(['deliver', 'bob', '--config', daemon.site.configFile], 'x\n')).code).toBe(75);
    } finally {
      await ldap.start();
    }
    expect(await login('alice', 'secret')).toMatch(/^\+OK/);
    expect(daemon.logs.find((entry) => entry.event === 'directory-failed')).toMatchObject({ source: 'ldap' });
  });
});
