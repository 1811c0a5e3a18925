import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../support/prometheus-text.js';
import { killDaemons, startSite, type RunningSite, type StartOptions } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { poplibRetrieveAll, run } from '../support/processes.js';

/*
 * The built daemon with `workers: 2`: two processes share the POP3 listener, the primary runs Push3 and
 * Prometheus over the events both send up. Which worker served a connection is read from the JSON log
 * (each worker's lines carry `worker`; the client's local port is in `remote`). Most tests here have the
 * primary deal the connections round-robin, so that a test's next connection reaches the other worker; by
 * default each worker accepts for itself, and the kernel picks which (tested on its own below).
 */

const MESSAGES = ['From: a@example.org\nSubject: one\n\nHello\n', 'Subject: two\r\n\r\nWorld\r\n'];
const PROTOCOLS = ['pop3', 'push3', 'prometheus'];

type Log = Record<string, unknown>;

const MONITORED = {
  push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root'] },
  prometheus: { enabled: true, host: '127.0.0.1', port: 0 },
};
const DEALT = { cluster: { scheduling: 'round-robin' } };
const CLUSTER: StartOptions = {
  users: { alice: 'secret', bob: 'hunter2', root: 'toor' },
  mail: { alice: MESSAGES, bob: [] },
  config: { ...MONITORED, ...DEALT },
  listeners: PROTOCOLS,
  workers: 2,
};

/** The daemon of the running test, for the helpers below. */
let daemon: RunningSite | undefined;
let clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await killDaemons();
  daemon = undefined;
});

/** The first log line from `from` on that matches, waiting for it (bounded). */
async function logLine(match: (entry: Log) => boolean, from = 0): Promise<Log> {
  let found: Log | undefined;
  await expect.poll(() => (found = daemon!.logs.slice(from).find(match)), { timeout: 10_000 }).toBeDefined();
  return found!;
}

/** A POP3 connection, greeting read, and the worker serving it. */
async function connect(): Promise<{ client: RawClient; worker: number }> {
  const client = await RawClient.open(daemon!.port('pop3'));
  clients.push(client);
  await client.line();
  const remote = `:${client.socket.localPort}`;
  const opened = await logLine((entry) => entry.event === 'connection-opened' && String(entry.remote).endsWith(remote));
  return { client, worker: Number(opened.worker) };
}

/** Connections until one lands on a worker other than `not` (round robin makes that the next one, or soon). */
async function connectElsewhere(not: number): Promise<{ client: RawClient; worker: number }> {
  for (let attempt = 0; attempt < 6; attempt++) {
    const connection = await connect();
    if (connection.worker !== not) return connection;
  }
  throw new Error(`every connection went to worker ${not}`);
}

async function admin(): Promise<RawClient> {
  const client = await RawClient.open(daemon!.port('push3'));
  clients.push(client);
  await client.line();
  expect(await client.command('LOGIN root toor')).toBe('->SUCCESS: Logged in as root');
  return client;
}

async function metrics(push3: RawClient): Promise<Record<string, number>> {
  const line = await push3.command('METRICS');
  return Object.fromEntries(line.slice('->SUCCESS: '.length).split(' ').map((pair) => [pair.split('=')[0]!, Number(pair.split('=')[1])]));
}

/** METRICS once `done` holds (events reach the primary in batches, a few tens of ms late). */
async function metricsWhen(push3: RawClient, done: (m: Record<string, number>) => boolean): Promise<Record<string, number>> {
  let latest: Record<string, number> = {};
  await expect.poll(async () => done((latest = await metrics(push3))), { timeout: 10_000 }).toBe(true);
  return latest;
}

/** The inode of the socket listening on 127.0.0.1:`port` (from /proc/net/tcp, where LISTEN is state 0A). */
function listeningInode(port: number): string {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const row = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === `0100007F:${hexPort}` && fields[3] === '0A');
  if (row === undefined) throw new Error(`nothing listens on 127.0.0.1:${port}`);
  return row[9]!;
}

/** Whether process `pid` holds socket `inode` among its open files. */
function holdsSocket(pid: number, inode: string): boolean {
  const dir = `/proc/${pid}/fd`;
  return readdirSync(dir).some((fd) => {
    try {
      return readlinkSync(join(dir, fd)) === `socket:[${inode}]`;
    } catch {
      return false; // closed meanwhile
    }
  });
}

async function login(client: RawClient, user: string, password: string): Promise<string> {
  await client.command(`USER ${user}`);
  return client.command(`PASS ${password}`);
}

describe('workers: 2', () => {
  it('serves poplib sessions on both workers; METRICS and Prometheus count every one of them', async () => {
    daemon = await startSite(CLUSTER);
    expect(daemon!.logs.filter((entry) => entry.event === 'listening' && entry.protocol === 'pop3')).toHaveLength(1);
    const push3 = await admin();
    const N = 6;
    let retrieved = 0;
    for (let i = 0; i < N; i++) {
      const { sizes } = await poplibRetrieveAll(daemon!.port('pop3'), 'alice', 'secret');
      retrieved += sizes.reduce((sum, size) => sum + size, 0);
    }
    const served = daemon!.logs.filter((entry) => entry.event === 'connection-opened' && entry.protocol === 'pop3').map((entry) => entry.worker);
    expect(served).toHaveLength(N);
    expect(new Set(served)).toEqual(new Set([1, 2]));

    const m = await metricsWhen(push3, (m) => m.pop3_connections_total === N && m.pop3_connections_current === 0);
    expect(m).toMatchObject({ pop3_logins_ok: N, messages_retrieved: N * MESSAGES.length, pop3_commands_retr: N * MESSAGES.length });
    expect(m.pop3_bytes_sent).toBeGreaterThanOrEqual(retrieved);
    const { stdout } = await run('curl', ['-s', `http://127.0.0.1:${daemon!.port('prometheus')}/metrics`]);
    const { samples } = parsePrometheusText(stdout);
    expect(samples.get('pop3d_pop3_connections_total')).toBe(N);
    expect(samples.get('pop3d_pop3_logins_ok_total')).toBe(N);
  });

  it('sends the workers\' events one by one only while a WATCH follows them; the metrics count the same either way', async () => {
    daemon = await startSite(CLUSTER);
    const push3 = await admin();
    const session = async (): Promise<void> => void (await poplibRetrieveAll(daemon!.port('pop3'), 'alice', 'secret'));
    // Nobody watches: commands, retrievals and latencies reach the primary as tallies.
    await session();
    let m = await metricsWhen(push3, (m) => m.pop3_connections_total === 1 && m.pop3_connections_current === 0);
    expect(m).toMatchObject({ messages_retrieved: 2, pop3_commands_retr: 2, pop3_commands_quit: 1 });
    expect(m.latency_retr_p50_ms).toBeGreaterThan(0);

    expect(await push3.command('WATCH 60 events')).toMatch(/^->SUCCESS: Watching every 60 s/);
    await session();
    const seen: Record<string, unknown>[] = [];
    while (!seen.some((event) => event.type === 'connection-closed' && event.protocol === 'pop3')) {
      const line = await push3.line();
      if (line.startsWith('->SUCCESS: event ')) seen.push(JSON.parse(line.slice('->SUCCESS: event '.length)) as Record<string, unknown>);
    }
    expect(seen.filter((event) => event.type === 'command' && event.verb === 'RETR')).toHaveLength(2);
    expect(seen.filter((event) => event.type === 'message-retrieved')).toHaveLength(2);
    expect(seen.some((event) => event.type === 'latency' && event.verb === 'RETR')).toBe(true);

    let reply = await push3.command('UNWATCH');
    while (reply.startsWith('->SUCCESS: event ')) reply = await push3.line();
    expect(reply).toBe('->SUCCESS: Stopped watching');
    await session();
    m = await metricsWhen(push3, (m) => m.pop3_connections_total === 3 && m.pop3_connections_current === 0);
    expect(m).toMatchObject({ messages_retrieved: 6, pop3_commands_retr: 6, pop3_commands_quit: 3, pop3_logins_ok: 3 });
  });

  it('by default each worker accepts from the listening socket itself; with round-robin only the primary does', async () => {
    const workerPids = (): number[] => daemon!.logs.filter((entry) => entry.event === 'worker-started').map((entry) => Number(entry.pid));
    daemon = await startSite({ ...CLUSTER, config: MONITORED });
    expect(daemon.logs.find((entry) => entry.event === 'listening' && entry.protocol === 'pop3')).toMatchObject({ workers: 2, scheduling: 'kernel' });
    const listener = listeningInode(daemon.port('pop3'));
    expect(workerPids()).toHaveLength(2);
    for (const pid of workerPids()) expect(holdsSocket(pid, listener)).toBe(true);
    const { sizes } = await poplibRetrieveAll(daemon.port('pop3'), 'alice', 'secret');
    expect(sizes).toHaveLength(MESSAGES.length);
    await killDaemons();

    daemon = await startSite(CLUSTER);
    expect(daemon.logs.find((entry) => entry.event === 'listening' && entry.protocol === 'pop3')).toMatchObject({ scheduling: 'round-robin' });
    const dealt = listeningInode(daemon.port('pop3'));
    expect(holdsSocket(daemon.process.pid!, dealt)).toBe(true);
    for (const pid of workerPids()) expect(holdsSocket(pid, dealt)).toBe(false);
  });

  it('holds the maildrop lock across workers: of two logins at once on different workers, one gets [IN-USE]', async () => {
    daemon = await startSite(CLUSTER);
    const first = await connect();
    const { client: second } = await connectElsewhere(first.worker);
    await Promise.all([first.client, second].map((client) => client.command('USER alice')));
    const replies = await Promise.all([first.client, second].map((client) => client.command('PASS secret')));
    expect(replies.filter((reply) => reply.startsWith('+OK'))).toHaveLength(1);
    expect(replies.filter((reply) => reply.startsWith('-ERR [IN-USE]'))).toHaveLength(1);
  });

  it('replaces a worker killed with SIGKILL, freeing its locks and closing its connections in the metrics', async () => {
    daemon = await startSite(CLUSTER);
    const push3 = await admin();
    const { client, worker } = await connect();
    expect(await login(client, 'alice', 'secret')).toMatch(/^\+OK/);
    const pid = Number((await logLine((entry) => entry.event === 'worker-started' && entry.worker === worker)).pid);
    await metricsWhen(push3, (m) => m.pop3_connections_current === 1);

    const from = daemon!.logs.length;
    process.kill(pid, 'SIGKILL');
    expect(await logLine((entry) => entry.event === 'worker-exited', from)).toMatchObject({ worker, pid, signal: 'SIGKILL' });
    const freed = await logLine((entry) => entry.event === 'locks-freed', from);
    expect(freed).toMatchObject({ worker, paths: [join(daemon!.maildir('alice'), 'pop3d.lock')] });
    const replacement = await logLine((entry) => entry.event === 'worker-ready' && entry.worker !== worker, from);
    expect(replacement.pid).not.toBe(pid);
    await metricsWhen(push3, (m) => m.pop3_connections_current === 0);

    // Long before mail.lockStaleSeconds (30 s): the lock went with the worker.
    const again = await connect();
    expect(await login(again.client, 'alice', 'secret')).toMatch(/^\+OK/);
    // The replacement takes its share of the connections.
    const survivor = 3 - worker;
    expect((await connectElsewhere(survivor)).worker).toBe(replacement.worker);
  });

  it('Push3 ADDUSER and SET reach every worker', async () => {
    // A new user's Maildir is created at first login.
    daemon = await startSite({ ...CLUSTER, config: { ...MONITORED, ...DEALT, mail: { autocreate: true } } });
    const push3 = await admin();
    expect(await push3.command('ADDUSER carol n3w-pass')).toBe('->SUCCESS: User carol added');
    const first = await connect();
    const { client: second } = await connectElsewhere(first.worker);
    expect(await login(first.client, 'carol', 'n3w-pass')).toMatch(/^\+OK/);
    expect(await first.client.command('QUIT')).toMatch(/^\+OK/);
    expect(await login(second, 'carol', 'n3w-pass')).toMatch(/^\+OK/);
    expect(await second.command('QUIT')).toMatch(/^\+OK/);

    expect(await push3.command('SET idle_timeout 1')).toBe('->SUCCESS: idle_timeout=1');
    const third = await connect();
    const { client: fourth } = await connectElsewhere(third.worker);
    expect(await login(third.client, 'alice', 'secret')).toMatch(/^\+OK/);
    expect(await login(fourth, 'carol', 'n3w-pass')).toMatch(/^\+OK/);
    for (const client of [third.client, fourth]) expect(await client.line()).toBe('-ERR Disconnected for inactivity');
  });

  it('fails to start, saying why, when the workers cannot listen', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      await expect(startSite({ config: { pop3: { host: '127.0.0.1', port } }, workers: 2 })).rejects.toThrow(/exited with 1: .*EADDRINUSE[^]*worker \d exited while starting/);
    } finally {
      taken.close();
    }
  });

  it('SIGHUP reaches every worker; SIGTERM drains them all and exits 0', async () => {
    daemon = await startSite(CLUSTER);
    const from = daemon!.logs.length;
    daemon!.process.kill('SIGHUP');
    for (const worker of [1, 2]) await logLine((entry) => entry.event === 'reloaded' && entry.worker === worker, from);
    await logLine((entry) => entry.event === 'reloaded' && entry.worker === undefined, from);

    const { client } = await connect();
    expect(await login(client, 'alice', 'secret')).toMatch(/^\+OK/);
    const stopping = daemon!.stop();
    // The session in progress may finish during shutdown.graceSeconds.
    expect(await client.command('STAT')).toMatch(/^\+OK 2 /);
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
    expect(await stopping).toBe(0);
    expect(daemon!.logs.filter((entry) => entry.event === 'worker-stopped')).toHaveLength(2);
  });
});
