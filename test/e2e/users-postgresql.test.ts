import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/password-schemes.js';
import { runCli } from '../support/run-cli.js';
import { cleanUpDaemons, startSite, type RunningSite, type Site, type StartOptions } from '../support/daemon.js';
import { plainLogin, userPassLogin } from '../support/logins.js';
import { RawClient } from '../support/pop3-client.js';
import { startPostgres, type PrivatePostgres } from '../support/postgresql.mjs';

/*
 * Users in a real PostgreSQL (Debian's package, started privately on a temp dir and a loopback port), served by
 * the built daemon: every kind of login, Push3 and CLI edits, delivery, injection attempts in names, the
 * database stopped and started again under a running daemon, and a query slower than users.timeout.
 */

const QUERIES = {
  // The slow user's row takes 3 s to read: past users.timeout (1 s).
  passwordQuery:
    "SELECT password, maildir, home FROM users WHERE name = $1 AND (name <> 'slowpoke@example.org' OR (SELECT true FROM pg_sleep(3)))",
  listQuery: 'SELECT name FROM users ORDER BY name',
  addQuery: 'INSERT INTO users (name, password) VALUES ($1, $2)',
  passwordUpdateQuery: 'UPDATE users SET password = $2 WHERE name = $1',
  deleteQuery: 'DELETE FROM users WHERE name = $1',
};

let db: PrivatePostgres;
/** The daemon of the running test, for the helpers below. */
let daemon: RunningSite;

beforeAll(async () => {
  db = await startPostgres();
}, 60_000);
afterAll(() => db?.remove());
afterEach(cleanUpDaemons);

async function freshUsers(site: Site): Promise<void> {
  await db.query('DROP TABLE IF EXISTS users');
  await db.query('CREATE TABLE users (name text PRIMARY KEY, password text NOT NULL, maildir text, home text)');
  const insert = 'INSERT INTO users (name, password, maildir, home) VALUES ($1, $2, $3, $4)';
  await db.query(insert, ['alice@example.org', '{PLAIN}secret', null, null]);
  await db.query(insert, ['bob@example.org', await hashPassword('b0b-pw'), null, null]);
  await db.query(insert, ['carol@example.net', '{PLAIN}carol-pw', 'maildir:~/Maildir:INDEX=/var/index/%u', join(site.dir, 'home', 'carol')]);
  await db.query(insert, ['root@example.org', '{PLAIN}toor', null, null]);
  await db.query(insert, ['slowpoke@example.org', '{PLAIN}slow', null, null]);
}

function maildir(site: Site, ...parts: string[]): string {
  const path = join(site.dir, ...parts);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(path, sub), { recursive: true });
  return path;
}

/** The table made afresh, and the users' Maildirs. */
async function prepare(site: Site): Promise<void> {
  await freshUsers(site);
  writeFileSync(join(maildir(site, 'mail', 'example.org', 'alice', 'Maildir'), 'new', '1700000000.M1P1.test'), 'Subject: hi\n\nalice\n');
  writeFileSync(join(maildir(site, 'home', 'carol', 'Maildir'), 'new', '1700000000.M2P1.test'), 'Subject: hi\n\ncarol\n');
  maildir(site, 'mail', 'example.org', 'bob', 'Maildir');
  maildir(site, 'mail', 'example.org', 'root', 'Maildir');
}

/** A site whose users are in the private PostgreSQL; `users` is laid over its users section. */
const inPostgres = (users: Record<string, unknown> = {}): StartOptions => ({
  users: {},
  config: {
    mail: { maildir: 'mail/%d/%n/Maildir' },
    auth: { defaultDomain: 'example.org', failureDelay: 0 },
    users: { source: 'postgresql', timeout: 1, postgresql: { url: db.url, ...QUERIES }, ...users },
    push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root@example.org'] },
    prometheus: { host: '127.0.0.1', port: 0 },
  },
  listeners: ['pop3', 'push3'],
  prepare,
});

const login = (name: string, password: string): Promise<string> => userPassLogin(daemon.port('pop3'), name, password);
const plain = (name: string, password: string): Promise<string> => plainLogin(daemon.port('pop3'), name, password);

async function pop3(): Promise<RawClient> {
  const client = await RawClient.open(daemon.port('pop3'));
  const greeting = await client.line();
  (client as RawClient & { greeting: string }).greeting = greeting;
  return client;
}

async function push3(): Promise<RawClient> {
  const client = await RawClient.open(daemon.port('push3'));
  await client.line();
  expect(await client.command('LOGIN root@example.org toor')).toBe('->SUCCESS: Logged in as root@example.org');
  return client;
}

const user = (args: string[], input = ''): ReturnType<typeof runCli> => runCli(['user', ...args, '--config', daemon.site.configFile], input);

describe('users in PostgreSQL', () => {
  it('logs in with USER/PASS, APOP and AUTH PLAIN; names lower-cased, the default domain added, %d/%n and own Maildirs', async () => {
    daemon = await startSite(inPostgres());
    expect(await login('alice', 'secret')).toBe('+OK Logged in: 1 message (22 octets)');
    expect(await login('ALICE@Example.ORG', 'secret')).toMatch(/^\+OK Logged in: 1 message/);
    // carol's own Maildir, from the maildir column with ~ for her home (Dovecot's options after it ignored).
    expect(await login('carol@example.net', 'carol-pw')).toBe('+OK Logged in: 1 message (22 octets)');

    const apop = await pop3();
    const stamp = /<[^>]+>/.exec((apop as RawClient & { greeting: string }).greeting)![0];
    const digest = createHash('md5').update(`${stamp}secret`).digest('hex');
    expect(await apop.command(`APOP alice ${digest}`)).toMatch(/^\+OK Logged in/);
    apop.close();

    const session = await pop3();
    const initial = Buffer.from('\0bob\0b0b-pw').toString('base64');
    expect(await session.command(`AUTH PLAIN ${initial}`)).toBe('+OK Logged in: 0 messages (0 octets)');
    session.close();

    expect(await login('alice', 'wrong')).toBe('-ERR [AUTH] Authentication failed.');
    expect(await login('nobody', 'secret')).toBe('-ERR [AUTH] Authentication failed.');
  });

  it('treats SQL in names as a name: bound parameters, nothing injected', async () => {
    daemon = await startSite(inPostgres());
    for (const name of ["' OR '1'='1", "alice@example.org' --", "x'; DROP TABLE users; --", 'alice\u0001']) {
      expect(await plain(name, 'secret')).toBe('-ERR [AUTH] Authentication failed.');
    }
    expect(await login("'OR'1'='1", 'secret')).toBe('-ERR [AUTH] Authentication failed.');
    // NUL inside AUTH PLAIN's user name: refused before any query.
    const session = await pop3();
    expect(await session.command(`AUTH PLAIN ${Buffer.from('\0alice\0\0x\0secret').toString('base64')}`)).toMatch(/^-ERR/);
    session.close();
    expect((await db.query('SELECT count(*)::int AS n FROM users')).rows[0]).toEqual({ n: 5 });
  });

  it('Push3 USERS, ADDUSER, PASSWD and DELUSER go through the queries; the CLI too', async () => {
    daemon = await startSite(inPostgres({ cache: { ttl: 60, negativeTtl: 60 } }));
    const admin = await push3();
    expect(await admin.command('USERS')).toBe(
      '->SUCCESS: alice@example.org bob@example.org carol@example.net root@example.org slowpoke@example.org',
    );
    // Looked up (unknown, and remembered as such) before it is added: the edit empties the cache.
    expect(await login('dave', 'd4ve')).toMatch(/^-ERR \[AUTH\]/);
    expect(await admin.command('ADDUSER dave@example.org d4ve')).toBe('->SUCCESS: User dave@example.org added');
    expect((await db.query("SELECT password FROM users WHERE name = 'dave@example.org'")).rows[0].password).toMatch(/^\{ARGON2ID\}\$argon2id\$/);
    maildir(daemon.site, 'mail', 'example.org', 'dave', 'Maildir');
    expect(await login('dave', 'd4ve')).toMatch(/^\+OK/);
    expect(await admin.command('ADDUSER dave@example.org again')).toBe('->FAIL: user dave@example.org already exists');
    expect(await admin.command('PASSWD dave@example.org n3w')).toMatch(/^->SUCCESS/);
    expect(await login('dave', 'd4ve')).toMatch(/^-ERR \[AUTH\]/);
    expect(await login('dave', 'n3w')).toMatch(/^\+OK/);
    expect(await admin.command('DELUSER dave@example.org')).toMatch(/^->SUCCESS/);
    expect(await admin.command('DELUSER dave@example.org')).toBe('->FAIL: no user dave@example.org');
    expect(await login('dave', 'n3w')).toMatch(/^-ERR \[AUTH\]/);
    admin.close();

    expect(await user(['add', 'erin@example.org'], 'er1n\n')).toMatchObject({ code: 0, stdout: 'added user erin@example.org to the postgresql user source\n' });
    expect((await user(['list'])).stdout).toContain('erin@example.org\n');
    expect(await user(['add', 'erin@example.org'], 'x\n')).toMatchObject({ code: 1, stderr: 'pop3d: user erin@example.org already exists\n' });
    expect(await user(['remove', 'erin@example.org'])).toMatchObject({ code: 0 });
  });

  it('says "not configured" for an edit without its query', async () => {
    daemon = await startSite(inPostgres({ postgresql: { url: db.url, passwordQuery: QUERIES.passwordQuery } }));
    const admin = await push3();
    expect(await admin.command('ADDUSER dave@example.org pw')).toBe('->FAIL: adding users is not configured for the postgresql user source');
    expect(await admin.command('USERS')).toBe('->FAIL: listing users is not configured for the postgresql user source');
    admin.close();
    expect(await user(['passwd', 'alice@example.org'], 'pw\n')).toMatchObject({
      code: 1,
      stderr: 'pop3d: changing passwords is not configured for the postgresql user source\n',
    });
  });

  it('delivers to a user who exists only in the database', async () => {
    daemon = await startSite(inPostgres());
    const result = await runCli(['deliver', 'bob', '--config', daemon.site.configFile], 'Subject: for bob\n\nhello\n');
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(join(daemon.site.dir, 'mail', 'example.org', 'bob', 'Maildir', 'new'))).toHaveLength(1);
    expect(await login('bob', 'b0b-pw')).toMatch(/^\+OK Logged in: 1 message/);
    expect((await runCli(['deliver', 'nobody', '--config', daemon.site.configFile], 'x\n')).code).toBe(67);
  });

  it('answers -ERR [SYS/TEMP] while the database is down or too slow, and recovers without a restart', async () => {
    daemon = await startSite(inPostgres());
    const slow = Date.now();
    expect(await login('slowpoke', 'slow')).toBe('-ERR [SYS/TEMP] User directory unavailable, try again later');
    expect(Date.now() - slow).toBeLessThan(2500);

    db.stop();
    try {
      expect(await login('alice', 'secret')).toBe('-ERR [SYS/TEMP] User directory unavailable, try again later');
      // The session goes on: the client may try again on the same connection.
      const client = await pop3();
      await client.command('USER bob');
      expect(await client.command('PASS b0b-pw')).toMatch(/^-ERR \[SYS\/TEMP\]/);
      expect(await client.command('NOOP')).toMatch(/^-ERR/);
      client.close();
      const deliver = await runCli(['deliver', 'bob', '--config', daemon.site.configFile], 'Subject: later\n\nx\n');
      expect(deliver.code).toBe(75);
      const admin = await RawClient.open(daemon.port('push3'));
      await admin.line();
      expect(await admin.command('LOGIN root@example.org toor')).toBe('->FAIL: User directory unavailable, try again later');
      admin.close();
    } finally {
      db.start();
    }
    expect(await login('alice', 'secret')).toMatch(/^\+OK/);
    const failure = daemon.logs.find((entry) => entry.event === 'directory-failed');
    expect(failure).toMatchObject({ source: 'postgresql' });
    expect(String(failure!.reason)).toMatch(/postgresql lookup failed: /);

    const admin = await push3();
    const metric = async (): Promise<Record<string, number>> =>
      Object.fromEntries((await admin.command('METRICS')).slice('->SUCCESS: '.length).split(' ').map((pair) => pair.split('=')).map(([key, value]) => [key, Number(value)]));
    // With workers, their events reach the primary's metrics in batches (about 50 ms apart): wait for them to settle.
    await expect
      .poll(async () => {
        const m = await metric();
        return m.directory_failures! >= 2 && m.directory_lookups! > m.directory_failures! && m.directory_cache_hits! >= 1;
      }, { timeout: 5000 })
      .toBe(true);
    admin.close();
  });
});
