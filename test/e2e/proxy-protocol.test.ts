import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, mergeConfig, startSite, type RunningDaemon } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { logged, tlsSite } from '../support/tls.js';
import { v2Tcp4, v2Tcp6 } from '../support/proxy-headers.js';

/*
 * The built daemon behind a pretend load balancer on loopback: the test writes the PROXY header a balancer
 * would, v1 as text and v2 as bytes built by hand, and checks through the JSON log and the replies that the
 * daemon sees the client named in the header, for its log, its limits and its login throttle.
 */

const TOO_MANY = '-ERR [SYS/TEMP] Too many connections, try again later';

/** The daemon of the running test, for remotes(). */
let daemon: RunningDaemon | undefined;
let clients: RawClient[] = [];
let relays: Server[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const relay of relays.splice(0)) relay.close();
  await cleanUpDaemons();
});

const BEHIND_BALANCER = {
  pop3: { proxyProtocol: true },
  proxy: { trustedProxies: ['127.0.0.1/32'] },
  auth: { trustedNetworks: [], allowPlaintext: true, failureDelay: 0 },
};

const ALICE = { users: { alice: 'secret' }, mail: { alice: ['Subject: hi\n\nHello\n'] } };

/** Connects as a balancer would: the header, then (in the same write) whatever the client sent first. */
async function viaBalancer(port: number, header: Buffer | string, first = ''): Promise<RawClient> {
  const client = await RawClient.open(port);
  clients.push(client);
  client.send(Buffer.concat([Buffer.from(header), Buffer.from(first)]));
  return client;
}

const v1 = (client: string, port = 40000): string => `PROXY TCP4 ${client} 192.0.2.1 ${port} 110\r\n`;

/** The `connection-opened` log lines' remotes, once there are `n`. */
async function remotes(n: number): Promise<unknown[]> {
  await expect.poll(() => daemon!.logs.filter((entry) => entry.event === 'connection-opened').length).toBeGreaterThanOrEqual(n);
  return daemon!.logs.filter((entry) => entry.event === 'connection-opened').map((entry) => entry.remote);
}

describe('PROXY protocol on the POP3 listener', () => {
  it('v1: the session and the log see the client in the header; a command in the same packet is not lost', async () => {
    daemon = await startSite({ ...ALICE, config: BEHIND_BALANCER });
    const port = daemon.port('pop3');
    const client = await viaBalancer(port, v1('203.0.113.7'), 'CAPA\r\n');
    expect(await client.line()).toMatch(/^\+OK POP3 server ready/);
    expect(await client.multiline()).toMatch(/^\+OK[^\r]*\r\n(.*\r\n)*TOP\r\n/);
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await client.command('PASS secret')).toMatch(/^\+OK/);
    expect(await remotes(1)).toEqual(['203.0.113.7:40000']);
    const auth = await logged(daemon!.logs, 'auth');
    expect(auth).toMatchObject({ remote: '203.0.113.7:40000', user: 'alice', ok: true });
  });

  it('v2 over IPv4 and IPv6, built by hand; v2 LOCAL and v1 UNKNOWN keep the balancer address', async () => {
    daemon = await startSite({ ...ALICE, config: BEHIND_BALANCER });
    const port = daemon.port('pop3');
    const tcp4 = await viaBalancer(port, v2Tcp4([198, 51, 100, 20], 1234, [192, 0, 2, 1], 110));
    const tcp6 = await viaBalancer(port, v2Tcp6('20010db8000000000000000000000007', 40001, '20010db8000000000000000000000001', 110));
    for (const client of [tcp4, tcp6]) expect(await client.line()).toMatch(/^\+OK/);
    expect(await remotes(2)).toEqual(expect.arrayContaining(['198.51.100.20:1234', '[2001:db8::7]:40001']));

    const local = await viaBalancer(port, Buffer.concat([Buffer.from('0d0a0d0a000d0a515549540a', 'hex'), Buffer.from([0x20, 0x00, 0, 0])]));
    const unknown = await viaBalancer(port, 'PROXY UNKNOWN\r\n');
    for (const client of [local, unknown]) expect(await client.line()).toMatch(/^\+OK/);
    const own = (await remotes(4)).slice(2);
    expect(own).toHaveLength(2);
    for (const remote of own) expect(remote).toMatch(/^(\[::ffff:127\.0\.0\.1\]|127\.0\.0\.1):\d+$/);
  });

  it('applies the per-address limit to the address in the header, not to the balancer', async () => {
    daemon = await startSite({ ...ALICE, config: mergeConfig(BEHIND_BALANCER, { limits: { maxConnections: 0, maxConnectionsPerAddress: 2 } }) });
    const port = daemon.port('pop3');
    for (let i = 0; i < 2; i++) expect(await (await viaBalancer(port, v1('203.0.113.7', 40000 + i))).line()).toMatch(/^\+OK/);
    expect(await (await viaBalancer(port, v1('203.0.113.7', 40002))).line()).toBe(TOO_MANY);
    const refused = await logged(daemon!.logs, 'connection-refused');
    expect(refused).toMatchObject({ remote: '203.0.113.7', reason: 'too many connections from this address' });
    expect(await (await viaBalancer(port, v1('203.0.113.8'))).line()).toMatch(/^\+OK/);
  });

  it("throttles failed logins by the header's address: another client behind the same balancer is not slowed", async () => {
    daemon = await startSite({ ...ALICE, config: mergeConfig(BEHIND_BALANCER, { auth: { failureDelay: 600, failureDelayMax: 10_000 } }) });
    const port = daemon.port('pop3');
    /** Milliseconds from PASS to its -ERR. */
    const failedLogin = async (address: string): Promise<number> => {
      const client = await viaBalancer(port, v1(address));
      await client.line();
      await client.command('USER alice');
      const sent = Date.now();
      expect(await client.command('PASS wrong')).toMatch(/^-ERR/);
      return Date.now() - sent;
    };
    expect(await failedLogin('203.0.113.7')).toBeGreaterThanOrEqual(550);
    expect(await failedLogin('203.0.113.7')).toBeGreaterThanOrEqual(1150);
    const other = await failedLogin('203.0.113.8');
    expect(other).toBeGreaterThanOrEqual(550);
    expect(other).toBeLessThan(1150);
  });

  it('closes, unread and with a log line, a connection from an address that is not a trusted balancer', async () => {
    daemon = await startSite({ ...ALICE, config: mergeConfig(BEHIND_BALANCER, { proxy: { trustedProxies: ['192.0.2.0/24'] } }) });
    const port = daemon.port('pop3');
    const client = await viaBalancer(port, v1('203.0.113.7'));
    await client.ended();
    expect(await logged(daemon!.logs, 'connection-refused')).toMatchObject({ remote: '127.0.0.1', reason: 'not a trusted proxy' });
    expect(daemon!.logs.some((entry) => entry.event === 'connection-opened')).toBe(false);
  });

  it('closes a connection whose header is invalid, or that sends none within pop3.loginTimeout', async () => {
    daemon = await startSite({ ...ALICE, config: mergeConfig(BEHIND_BALANCER, { pop3: { loginTimeout: 0.5 } }) });
    const port = daemon.port('pop3');
    const garbage = await viaBalancer(port, 'USER alice\r\n');
    await garbage.ended();
    expect(await logged(daemon!.logs, 'connection-refused')).toMatchObject({ reason: expect.stringMatching(/^invalid PROXY header/) });

    const silent = await viaBalancer(port, '');
    const started = Date.now();
    await silent.ended();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await expect.poll(() => daemon!.logs.filter((entry) => entry.reason === 'no PROXY header in time').length).toBe(1);
    expect(daemon!.logs.some((entry) => entry.event === 'connection-opened')).toBe(false);
  });

  it('leaves a listener without proxyProtocol as it was: a PROXY line there is just a bad command', async () => {
    daemon = await startSite({ config: { proxy: { trustedProxies: ['127.0.0.1'] }, auth: { trustedNetworks: [] } } });
    const client = await viaBalancer(daemon.port('pop3'), v1('203.0.113.7'));
    expect(await client.line()).toMatch(/^\+OK/);
    expect(await client.line()).toMatch(/^-ERR/);
    expect(await remotes(1)).toEqual([expect.stringMatching(/127\.0\.0\.1:\d+$/)]);
  });
});

/**
 * A TCP relay that behaves like `send-proxy-v2`: per client it connects to `port`, then sends the header
 * and the client's first chunk (its TLS ClientHello) in one write, and copies bytes both ways after that.
 */
async function balancer(port: number, header: Buffer): Promise<number> {
  const relay = createServer((client: Socket) => {
    client.once('data', (first: Buffer) => {
      const upstream = tcpConnect(port, '127.0.0.1', () => {
        upstream.write(Buffer.concat([header, first]));
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
    });
    client.on('error', () => undefined);
  });
  relays.push(relay);
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return (relay.address() as { port: number }).port;
}

describe('PROXY protocol on the POP3S listener', () => {
  it('reads the header before the TLS handshake, with the ClientHello in the same packet', async () => {
    // tlsSite sets the pop3s section itself.
    daemon = await startSite({ site: tlsSite({ config: { proxy: { trustedProxies: ['127.0.0.1'] } } }), listeners: ['pop3', 'pop3s'], args: ['--set', 'pop3s.proxyProtocol=true'] });
    const port = await balancer(daemon.port('pop3s'), v2Tcp4([198, 51, 100, 30], 5555, [192, 0, 2, 1], 995));
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' });
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    const client = RawClient.over(socket);
    clients.push(client);
    expect(await client.line()).toMatch(/^\+OK POP3 server ready/);
    expect(await client.command('USER alice')).toMatch(/^\+OK/);
    expect(await remotes(1)).toEqual(['198.51.100.30:5555']);
  });
});
