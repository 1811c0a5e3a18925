import { chmodSync, readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanUpDaemons, makeSite, startSite } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { logged, openTls, tlsSite } from '../support/tls.js';

const TOO_MANY = '-ERR [SYS/TEMP] Too many connections, try again later';

let clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await cleanUpDaemons();
});

/** Opens a connection and reads its first line (greeting or refusal). */
async function connect(port: number): Promise<{ client: RawClient; first: string }> {
  const client = await RawClient.open(port);
  clients.push(client);
  return { client, first: await client.line() };
}

describe('connection limits and timeouts over real sockets', () => {
  it('refuses connections over limits.maxConnections with [SYS/TEMP] and a close, until one ends', async () => {
    const daemon = await startSite({ config: { limits: { maxConnections: 2 } } });
    const pop3 = daemon.port('pop3');
    const [a] = [await connect(pop3!), await connect(pop3!)];
    const refused = await connect(pop3!);
    expect(refused.first).toBe(TOO_MANY);
    await refused.client.ended();
    expect(await logged(daemon.logs, 'connection-refused')).toMatchObject({ protocol: 'pop3', reason: 'too many connections' });

    expect(await a!.client.command('QUIT')).toBe('+OK Bye');
    await a!.client.ended();
    await expect.poll(async () => (await connect(pop3!)).first).toMatch(/^\+OK POP3 server ready/);
  });

  it('refuses a fourth connection from one untrusted address at maxConnectionsPerAddress 3', async () => {
    const { pop3 } = (await startSite({ config: { limits: { maxConnections: 0, maxConnectionsPerAddress: 3 }, auth: { trustedNetworks: [] } } })).ports;
    for (let i = 0; i < 3; i++) expect((await connect(pop3!)).first).toMatch(/^\+OK/);
    expect((await connect(pop3!)).first).toBe(TOO_MANY);
  });

  it('exempts trusted networks (loopback by default) from the per-address limit', async () => {
    const { pop3 } = (await startSite({ config: { limits: { maxConnectionsPerAddress: 2 } } })).ports;
    for (let i = 0; i < 5; i++) expect((await connect(pop3!)).first).toMatch(/^\+OK/);
  });

  it('closes an implicit-TLS connection over the limit without a handshake', async () => {
    const { ports } = await startSite({ site: tlsSite({ config: { limits: { maxConnections: 1 } } }), listeners: ['pop3', 'pop3s'] });
    const { client } = await openTls(ports.pop3s!);
    clients.push(client);
    expect(await client.line()).toMatch(/^\+OK/);
    await expect(openTls(ports.pop3s!)).rejects.toThrow();
    // The plain port shares the limit.
    expect((await connect(ports.pop3!)).first).toBe(TOO_MANY);
  });

  it('drops a connection that does not log in within pop3.loginTimeout', async () => {
    const { pop3 } = (await startSite({ config: { pop3: { loginTimeout: 0.5, idleTimeout: 600 } } })).ports;
    const { client } = await connect(pop3!);
    const started = Date.now();
    expect(await client.line()).toBe('-ERR Disconnected for inactivity');
    await client.ended();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});

describe('least privilege', () => {
  const nogroup = readFileSync('/etc/group', 'utf8').match(/^(nogroup|nobody):/m)?.[1];
  const asRoot = process.getuid?.() === 0 && nogroup !== undefined;

  it.skipIf(!asRoot)('started as root, runs as daemon.user/daemon.group once listening', async () => {
    const daemon = await startSite({ config: { daemon: { user: 'nobody', group: nogroup! } } });
    const { pop3 } = daemon.ports;
    // The daemon's own line: with workers, each worker drops its privileges (and logs it) before the primary does.
    await vi.waitFor(() => expect(daemon.logs.some((entry) => entry.event === 'privileges-dropped' && entry.worker === undefined)).toBe(true), {
      timeout: 10_000,
    });
    const status = readFileSync(`/proc/${daemon.process.pid}/status`, 'utf8');
    const [uid, gid] = [/^Uid:\s+(\d+)/m.exec(status)?.[1], /^Gid:\s+(\d+)/m.exec(status)?.[1]];
    expect(uid).not.toBe('0');
    expect(gid).not.toBe('0');
    expect((await connect(pop3!)).first).toMatch(/^\+OK POP3 server ready/);
  });

  it.skipIf(!asRoot)('makes the Maildirs of autocreate as daemon.user, so its sessions can open them', async () => {
    const site = makeSite({ users: { alice: 'secret' }, withoutMaildirs: true, config: { mail: { maildir: 'mail/%u/Maildir', autocreate: true }, daemon: { user: 'nobody', group: nogroup! } } });
    // The daemon user may make the mail folder in the site, as it would in /var/mail.
    chmodSync(site.dir, 0o777);
    const daemon = await startSite({ site });
    await vi.waitFor(() => expect(daemon.logs.some((entry) => entry.event === 'maildir-created' && entry.user === 'alice')).toBe(true), { timeout: 10_000 });
    const nobody = Number(/^nobody:[^:]*:(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'))?.[1]);
    expect(statSync(site.maildir('alice')).uid).toBe(nobody);
    const client = await RawClient.open(daemon.ports.pop3!);
    await client.line();
    await client.command('USER alice');
    expect(await client.command('PASS secret')).toMatch(/^\+OK Logged in/u);
    client.close();
  });

  it.skipIf(process.getuid?.() !== 0)('warns when running as root without daemon.user', async () => {
    const daemon = await startSite();
    await logged(daemon.logs, 'running-as-root');
  });
});
