import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type RunningDaemon } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * With `workers: 2` an address gets exactly what it gets from one process: the connection limits and the
 * login penalties are counted by the primary for the whole daemon. The primary deals the connections
 * round-robin here (`cluster.scheduling`), which hands consecutive connections to alternate workers, so counts
 * kept per worker would let through about twice as much.
 */

const TOO_MANY = '-ERR [SYS/TEMP] Too many connections, try again later';
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cleanUpDaemons();
});

// Loopback must not be trusted here: trusted networks are exempt from the per-address limit.
const UNTRUSTED_LOOPBACK = { trustedNetworks: [], allowPlaintext: true };
const DEALT = { scheduling: 'round-robin' };

async function connect(port: number): Promise<{ client: RawClient; first: string }> {
  const client = await RawClient.open(port);
  clients.push(client);
  return { client, first: await client.line() };
}

/** The worker that logged the opening of this client's connection. */
async function workerOf(daemon: RunningDaemon, client: RawClient): Promise<number> {
  const remote = `:${client.socket.localPort}`;
  let worker: unknown;
  await expect
    .poll(() => (worker = daemon.logs.find((e) => e.event === 'connection-opened' && String(e.remote).endsWith(remote))?.worker))
    .toBeDefined();
  return Number(worker);
}

describe('limits and login throttling for the whole daemon, with workers', () => {
  it('limits.maxConnectionsPerAddress counts the connections of every worker', async () => {
    const daemon = await startSite({ config: { auth: UNTRUSTED_LOOPBACK, limits: { maxConnectionsPerAddress: 2 }, cluster: DEALT }, workers: 2 });
    const port = daemon.port('pop3');
    const admitted = [await connect(port), await connect(port)];
    expect(admitted.map((c) => c.first)).toEqual([expect.stringMatching(/^\+OK/), expect.stringMatching(/^\+OK/)]);
    // The two admitted connections are on different workers: a per-worker count would have room for more.
    expect(new Set(await Promise.all(admitted.map(({ client }) => workerOf(daemon, client)))).size).toBe(2);
    for (let i = 0; i < 3; i += 1) expect((await connect(port)).first).toBe(TOO_MANY);
    admitted[0]!.client.close();
    await expect.poll(async () => (await connect(port)).first, { timeout: 5_000 }).toMatch(/^\+OK/);
  });

  it('limits.maxConnections (the live max_connections) is for the whole daemon', async () => {
    const daemon = await startSite({ config: { auth: UNTRUSTED_LOOPBACK, limits: { maxConnections: 3 }, cluster: DEALT }, workers: 2 });
    const port = daemon.port('pop3');
    for (let i = 0; i < 3; i += 1) expect((await connect(port)).first).toMatch(/^\+OK/);
    for (let i = 0; i < 2; i += 1) expect((await connect(port)).first).toBe(TOO_MANY);
  });

  it('a failed login doubles the penalty of the next one from the address, on whichever worker', async () => {
    const daemon = await startSite({ config: { auth: { ...UNTRUSTED_LOOPBACK, failureDelay: 150, failureDelayMax: 60_000 }, cluster: DEALT }, workers: 2 });
    const port = daemon.port('pop3');
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { client } = await connect(port);
      await client.command('USER alice');
      const started = Date.now();
      expect(await client.command('PASS wrong')).toMatch(/^-ERR \[AUTH\]/);
      waits.push(Date.now() - started);
      client.close();
    }
    // 150, 300, 600, 1200 ms for the daemon; per worker it would have been 150, 150, 300, 300.
    expect(waits[2]!).toBeGreaterThanOrEqual(550);
    expect(waits[3]!).toBeGreaterThanOrEqual(1100);
  });
});
