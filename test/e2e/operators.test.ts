import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpDaemons, startSite, type RunningDaemon, type StartOptions } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * What an operator looks at, against the real daemon (with workers when POP3D_WORKERS says so): live
 * sessions, KICK and filtered WATCH over Push3; the Prometheus text checked by promtool; the Grafana board
 * using only names the endpoint exports.
 */

const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cleanUpDaemons();
});

const OPERATED: StartOptions = {
  users: { alice: 'secret', bob: 'hunter2', root: 'toor' },
  mail: { alice: ['Subject: one\n\nfirst\n', 'Subject: two\n\nsecond\n'], bob: ['Subject: hi\n\nbob\n'] },
  config: {
    push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root'] },
    prometheus: { enabled: true, host: '127.0.0.1', port: 0 },
  },
  listeners: ['pop3', 'push3', 'prometheus'],
};

async function open(port: number): Promise<RawClient> {
  const client = await RawClient.open(port);
  clients.push(client);
  await client.line(); // greeting
  return client;
}

async function pop3Login(daemon: RunningDaemon, user: string, password: string): Promise<RawClient> {
  const client = await open(daemon.port('pop3'));
  expect(await client.command(`USER ${user}`)).toBe('+OK');
  expect(await client.command(`PASS ${password}`)).toMatch(/^\+OK Logged in/);
  return client;
}

async function admin(daemon: RunningDaemon): Promise<RawClient> {
  const client = await open(daemon.port('push3'));
  expect(await client.command('LOGIN root toor')).toBe('->SUCCESS: Logged in as root');
  return client;
}

/** SESSIONS [user]: the session lines, up to and including the count line. */
async function sessions(client: RawClient, user?: string): Promise<string[]> {
  client.send(user === undefined ? 'SESSIONS\r\n' : `SESSIONS ${user}\r\n`);
  const lines: string[] = [];
  for (;;) {
    const line = await client.line();
    if (!line.startsWith('->SUCCESS: session ')) return [...lines, line];
    lines.push(line);
  }
}

/** Asks until `ok` holds: a cluster's primary hears its workers' events within about 50 ms. */
async function eventually<T>(ask: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    const value = await ask();
    if (ok(value) || attempt === 100) return value;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

const scrape = async (daemon: RunningDaemon): Promise<string> => (await fetch(`http://127.0.0.1:${daemon.port('prometheus')}/metrics`)).text();

describe('operators: live sessions, KICK, WATCH filters, Prometheus and Grafana', () => {
  it('SESSIONS lists who is logged in; KICK ends the session without UPDATE and releases the lock', async () => {
    const daemon = await startSite(OPERATED);
    const alice = await pop3Login(daemon, 'alice', 'secret');
    expect(await alice.command('DELE 1')).toBe('+OK Message 1 deleted');
    const bob = await pop3Login(daemon, 'bob', 'hunter2');
    const root = await admin(daemon);

    // Both logins heard (a cluster's primary gets each worker's events in batches), and alice's DELE.
    const listed = await eventually(
      () => sessions(root),
      (lines) => lines.at(-1) === '->SUCCESS: 2 sessions' && lines.some((l) => l.includes('command=DELE')) && lines.some((l) => l.includes(' user=bob ')),
    );
    expect(listed.at(-1)).toBe('->SUCCESS: 2 sessions');
    const aliceLine = listed.find((line) => line.includes(' user=alice '));
    expect(aliceLine).toMatch(
      /^->SUCCESS: session connection=\S+ user=alice remote=127\.0\.0\.1:\d+ protocol=pop3 state=transaction since=\S+Z bytes_out=\d+ command=DELE$/,
    );
    expect(await sessions(root, 'bob')).toHaveLength(2);

    expect(await root.command('KICK carol')).toBe('->FAIL: No session of carol');
    expect(await root.command('KICK alice')).toBe('->SUCCESS: Closed 1 session');
    expect(await alice.line()).toBe('-ERR [SYS/TEMP] Closed by the administrator');
    await alice.ended();

    // No UPDATE: both messages are still there, and the lock is free for the next login.
    const again = await pop3Login(daemon, 'alice', 'secret');
    expect(await again.command('STAT')).toMatch(/^\+OK 2 /);
    // KICK by connection id reaches bob's session too.
    const bobId = /connection=(\S+)/.exec(listed.find((line) => line.includes(' user=bob '))!)![1]!;
    expect(await root.command(`KICK ${bobId}`)).toBe('->SUCCESS: Closed 1 session');
    expect(await bob.line()).toBe('-ERR [SYS/TEMP] Closed by the administrator');
    expect(await eventually(() => sessions(root), (lines) => lines.length === 2)).toHaveLength(2);

    const kicks = () => daemon.logs.filter((entry) => entry.event === 'kicked');
    await eventually(async () => kicks(), (found) => found.length === 2);
    expect(kicks().map((entry) => entry.user)).toEqual(['alice', 'bob']);
    expect(daemon.logs.filter((entry) => entry.event === 'admin-command').map((entry) => entry.verb)).toContain('KICK');
  });

  it('WATCH 1 user=alice streams her events as they happen, and nobody else\'s', async () => {
    const daemon = await startSite(OPERATED);
    const root = await admin(daemon);
    expect(await root.command('WATCH 60 user=alice')).toBe('->SUCCESS: Watching every 60 s, with the events of alice');
    const bob = await pop3Login(daemon, 'bob', 'hunter2');
    expect(await bob.command('STAT')).toMatch(/^\+OK 1 /);
    const alice = await pop3Login(daemon, 'alice', 'secret');
    expect(await alice.command('STAT')).toMatch(/^\+OK 2 /);
    const seen: Record<string, unknown>[] = [];
    while (!seen.some((event) => event.type === 'command' && event.verb === 'STAT')) {
      const line = await root.line();
      expect(line).toMatch(/^->SUCCESS: event \{/);
      seen.push(JSON.parse(line.slice('->SUCCESS: event '.length)) as Record<string, unknown>);
    }
    // Her login steps come first (they know whom they are for), then the login itself.
    expect(seen[0]).toMatchObject({ type: 'latency', operation: 'login-verification', user: 'alice' });
    expect(seen.find((event) => event.type === 'auth')).toMatchObject({ user: 'alice', ok: true });
    expect(seen.filter((event) => event.user !== undefined && event.user !== 'alice')).toEqual([]);
    expect(seen.some((event) => event.type === 'latency' && event.operation === 'maildrop-open')).toBe(true);
    // Event lines still on their way (the STAT's latency) come before UNWATCH's reply.
    let reply = await root.command('UNWATCH');
    while (reply.startsWith('->SUCCESS: event ')) reply = await root.line();
    expect(reply).toBe('->SUCCESS: Stopped watching');
  });

  it('serves histograms and counters that promtool accepts, without per-second gauges; METRICS has p50/p90/p99', async () => {
    const daemon = await startSite(OPERATED);
    const alice = await pop3Login(daemon, 'alice', 'secret');
    expect(await alice.command('STAT')).toMatch(/^\+OK/);
    alice.send('RETR 1\r\n');
    expect(await alice.multiline()).toMatch(/^\+OK/);
    expect(await alice.command('QUIT')).toMatch(/^\+OK Bye/);
    await alice.ended();

    const text = await eventually(() => scrape(daemon), (body) => /pop3d_pop3_session_duration_seconds_count 1\n/.test(body));
    expect(text).toMatch(/^pop3d_pop3_command_duration_seconds_bucket\{verb="retr",le="\+Inf"\} 1$/m);
    expect(text).toMatch(/^pop3d_pop3_command_duration_seconds_count\{verb="stat"\} 1$/m);
    expect(text).toMatch(/^pop3d_pop3_login_verification_duration_seconds_count 1$/m);
    expect(text).toMatch(/^pop3d_pop3_maildrop_open_duration_seconds_count 1$/m);
    expect(text).toMatch(/^pop3d_pop3_update_duration_seconds_count 1$/m);
    expect(text).toMatch(/^# TYPE pop3d_pop3_command_duration_seconds histogram$/m);
    expect(text).toMatch(/^pop3d_worker_exits_total 0$/m);
    expect(text).not.toMatch(/per_second/);
    const sum = Number(/^pop3d_pop3_command_duration_seconds_sum\{verb="retr"\} (\S+)$/m.exec(text)?.[1]);
    expect(sum).toBeGreaterThan(0);

    const check = await promtool(text);
    expect(check.code, check.output).toBe(0);

    const root = await admin(daemon);
    const metrics = await root.command('METRICS');
    expect(metrics).toMatch(/ pop3_connections_per_second=[\d.]+ /);
    expect(metrics).toMatch(/ latency_retr_p50_ms=[\d.]+ latency_retr_p90_ms=[\d.]+ latency_retr_p99_ms=[\d.]+/);
    expect(metrics).toMatch(/ latency_session_p99_ms=[\d.]+/);
  });

  it('the Grafana board is valid JSON and uses only metric names the endpoint exports', async () => {
    const board = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../config/examples/grafana-dashboard.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const daemon = await startSite(OPERATED);
    // Every declared family (a labelled one may have no sample yet), with a histogram's series suffixes.
    const exported = new Set(
      [...(await scrape(daemon)).matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
      ),
    );
    const used = new Set(board.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/\bpop3d_[a-z0-9_]+/g) ?? [])));
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });
});

function promtool(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolveCheck) => {
    const child = execFile('promtool', ['check', 'metrics'], (error, stdout, stderr) =>
      resolveCheck({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
    child.stdin!.end(text);
  });
}
