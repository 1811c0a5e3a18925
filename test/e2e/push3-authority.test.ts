import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type RunningDaemon, type StartOptions } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * A Push3 admin's powers are checked on every command: once withdrawn (user removed, password changed,
 * dropped from push3.admins by a reload), their open session ends with ->FAIL: and an event.
 */

const WITHDRAWN = '->FAIL: Admin rights withdrawn; closing the connection';
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cleanUpDaemons();
});

const TWO_ADMINS: StartOptions = {
  users: { root: 'toor', admin2: 'second' },
  config: {
    push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root', 'admin2'] },
    prometheus: { enabled: false },
  },
  listeners: ['pop3', 'push3'],
};

async function login(daemon: RunningDaemon, user: string, password: string): Promise<RawClient> {
  const client = await RawClient.open(daemon.port('push3'));
  clients.push(client);
  await client.line();
  expect(await client.command(`LOGIN ${user} ${password}`)).toBe(`->SUCCESS: Logged in as ${user}`);
  return client;
}

async function expectWithdrawn(daemon: RunningDaemon, client: RawClient, command: string): Promise<void> {
  expect(await client.command(command)).toBe(WITHDRAWN);
  await client.ended();
  expect(client.closed).toBe(true);
  const deadline = Date.now() + 5_000;
  while (!daemon.logs.some((entry) => entry.event === 'admin-revoked') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(daemon.logs.find((entry) => entry.event === 'admin-revoked')).toMatchObject({ user: 'admin2', level: 40 });
}

describe('Push3 authority on every command', () => {
  it('DELUSER: the removed admin can neither ADDUSER nor re-create themselves', async () => {
    const daemon = await startSite(TWO_ADMINS);
    const admin2 = await login(daemon, 'admin2', 'second');
    const root = await login(daemon, 'root', 'toor');
    expect(await root.command('DELUSER admin2')).toBe('->SUCCESS: User admin2 removed');
    await expectWithdrawn(daemon, admin2, 'ADDUSER admin2 back');
    expect(await root.command('USERS')).toBe('->SUCCESS: root');
  });

  it('PASSWD: a password change ends the sessions opened with the old one', async () => {
    const daemon = await startSite(TWO_ADMINS);
    const admin2 = await login(daemon, 'admin2', 'second');
    const root = await login(daemon, 'root', 'toor');
    expect(await root.command('PASSWD admin2 third')).toBe('->SUCCESS: Password of admin2 changed');
    await expectWithdrawn(daemon, admin2, 'SET max_connections 1');
    expect(await root.command('GET max_connections')).toBe('->SUCCESS: max_connections=1000');
    await login(daemon, 'admin2', 'third');
  });

  it('SIGHUP that drops the admin from push3.admins ends their session; SET is refused', async () => {
    const daemon = await startSite(TWO_ADMINS);
    const admin2 = await login(daemon, 'admin2', 'second');
    const config = JSON.parse(readFileSync(daemon.site.configFile, 'utf8')) as { push3: { admins: string[] } };
    config.push3.admins = ['root'];
    writeFileSync(daemon.site.configFile, JSON.stringify(config));
    daemon.process.kill('SIGHUP');
    const deadline = Date.now() + 5_000;
    while (!daemon.logs.some((entry) => entry.event === 'reloaded') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expectWithdrawn(daemon, admin2, 'SET log_level debug');
    const again = await RawClient.open(daemon.port('push3'));
    clients.push(again);
    await again.line();
    expect(await again.command('LOGIN admin2 second')).toBe('->FAIL: Authentication failed');
  });
});
