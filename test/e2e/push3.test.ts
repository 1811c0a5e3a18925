import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { killDaemons, startSite, type RunningDaemon, type StartOptions } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { poplibRetrieveAll, run } from '../support/processes.js';
import { parsePrometheusText } from '../support/prometheus-text.js';

/*
 * The real daemon (dist/cli.js, built here), with POP3, Push3 and Prometheus all on ephemeral ports.
 * POP3 traffic comes from Python's poplib; Push3 is spoken over a raw socket; Prometheus is read by curl.
 */

const MESSAGES = ['From: a@example.org\nSubject: one\n\nHello\n', 'From: b@example.org\r\nSubject: two\r\n\r\nWorld, again\r\n'];
const PROTOCOLS = ['pop3', 'push3', 'prometheus'];
const MONITORED: StartOptions = {
  users: { alice: 'secret', root: 'toor' },
  mail: { alice: MESSAGES },
  config: {
    mail: { autocreate: true },
    push3: { enabled: true, host: '127.0.0.1', port: 0, admins: ['root'] },
    prometheus: { enabled: true, host: '127.0.0.1', port: 0 },
  },
  listeners: PROTOCOLS,
};

let clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await killDaemons();
});

async function open(port: number): Promise<RawClient> {
  const client = await RawClient.open(port);
  clients.push(client);
  await client.line(); // greeting
  return client;
}

async function admin(daemon: RunningDaemon): Promise<RawClient> {
  const client = await open(daemon.ports.push3!);
  expect(await client.command('LOGIN root toor')).toBe('->SUCCESS: Logged in as root');
  return client;
}

/** METRICS as a record, after checking the line's shape. */
async function metrics(client: RawClient): Promise<Record<string, number>> {
  const line = await client.command('METRICS');
  expect(line).toMatch(/^->SUCCESS:( [a-z0-9_]+=[0-9.]+)+$/);
  return Object.fromEntries(line.slice('->SUCCESS: '.length).split(' ').map((pair) => {
    const [key, value] = pair.split('=');
    return [key!, Number(value)];
  }));
}

/** Closes are counted when the server sees the socket close, a moment after the client does. */
async function settledMetrics(client: RawClient, done: (m: Record<string, number>) => boolean): Promise<Record<string, number>> {
  for (let attempt = 0; ; attempt++) {
    const m = await metrics(client);
    if (done(m) || attempt === 50) return m;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function pop3Login(port: number, user: string, password: string): Promise<string> {
  const client = await open(port);
  await client.command(`USER ${user}`);
  const reply = await client.command(`PASS ${password}`);
  await client.command('QUIT');
  return reply;
}

describe('Push3 end to end', () => {
  it('counts every octet a POP3 client sent, including a last partial line nobody answered', async () => {
    const daemon = await startSite(MONITORED);
    const push3 = await admin(daemon);
    const before = await metrics(push3);
    const client = await open(daemon.port('pop3'));
    await client.command('USER alice');
    await client.command('NOOP');
    client.send('NOO');
    client.close();
    const sent = 'USER alice\r\n'.length + 'NOOP\r\n'.length + 'NOO'.length;
    const after = await settledMetrics(push3, (m) => m.pop3_bytes_received! - before.pop3_bytes_received! >= sent);
    expect(after.pop3_bytes_received! - before.pop3_bytes_received!).toBe(sent);
  });

  it('METRICS and Prometheus count real POP3 sessions: totals grow by N, bytes sent by at least what was retrieved', async () => {
    const daemon = await startSite(MONITORED);
    const push3 = await admin(daemon);
    const before = await metrics(push3);

    const N = 3;
    let retrieved = 0;
    for (let i = 0; i < N; i++) {
      const { sizes } = await poplibRetrieveAll(daemon.port('pop3'), 'alice', 'secret');
      expect(sizes).toHaveLength(MESSAGES.length);
      retrieved += sizes.reduce((sum, size) => sum + size, 0);
    }
    // Events reach the metrics in batches (coalesced, and from workers over IPC): wait for all of them.
    const after = await settledMetrics(
      push3,
      (m) => m.pop3_connections_current === before.pop3_connections_current && m.pop3_connections_total! - before.pop3_connections_total! >= N,
    );

    expect(after.pop3_connections_total! - before.pop3_connections_total!).toBe(N);
    expect(after.pop3_connections_current).toBe(before.pop3_connections_current);
    expect(after.pop3_logins_ok! - before.pop3_logins_ok!).toBe(N);
    expect(after.messages_retrieved! - before.messages_retrieved!).toBe(N * MESSAGES.length);
    expect(after.pop3_commands_retr).toBe(N * MESSAGES.length);
    expect(after.pop3_bytes_sent! - before.pop3_bytes_sent!).toBeGreaterThanOrEqual(retrieved);
    expect(after.pop3_bytes_received).toBeGreaterThan(before.pop3_bytes_received!);
    expect(after.push3_connections_current).toBe(1);
    expect(after.pop3_connections_per_second).toBeGreaterThan(0);

    const { stdout } = await run('curl', ['-s', `http://127.0.0.1:${daemon.ports.prometheus}/metrics`]);
    const { samples, types } = parsePrometheusText(stdout);
    expect(samples.get('pop3d_pop3_connections_total')).toBe(after.pop3_connections_total);
    expect(samples.get('pop3d_pop3_logins_ok_total')).toBe(after.pop3_logins_ok);
    expect(samples.get('pop3d_messages_retrieved_total')).toBe(after.messages_retrieved);
    expect(samples.get('pop3d_pop3_commands_total{verb="retr"}')).toBe(after.pop3_commands_retr);
    expect(samples.get('pop3d_pop3_bytes_sent_total')).toBeGreaterThanOrEqual(after.pop3_bytes_sent!);
    expect(types.get('pop3d_pop3_connections_current')).toBe('gauge');
  });

  it('ADDUSER makes a POP3 user at once, who survives a restart; a non-admin cannot log in to Push3', async () => {
    let daemon = await startSite(MONITORED);
    const site = daemon.site;
    const outsider = await open(daemon.ports.push3!);
    expect(await outsider.command('LOGIN alice secret')).toBe('->FAIL: Authentication failed');
    expect(await outsider.command('LOGIN root wrong')).toBe('->FAIL: Authentication failed');
    expect(await outsider.command('METRICS')).toBe('->FAIL: METRICS is not valid in this state');

    const push3 = await admin(daemon);
    expect(await pop3Login(daemon.ports.pop3!, 'carol', 'n3w-pass')).toMatch(/^-ERR/);
    expect(await push3.command('ADDUSER carol n3w-pass')).toBe('->SUCCESS: User carol added');
    expect(await push3.command('USERS')).toBe('->SUCCESS: alice root carol');
    expect(await pop3Login(daemon.ports.pop3!, 'carol', 'n3w-pass')).toMatch(/^\+OK Logged in/);
    expect(readFileSync(join(site.dir, 'users.passwd'), 'utf8')).not.toContain('n3w-pass');
    const audit = daemon.logs.find((entry) => entry.event === 'admin-change');
    expect(audit).toMatchObject({ user: 'root', change: 'user-added', target: 'carol' });
    expect(JSON.stringify(daemon.logs)).not.toContain('n3w-pass');

    expect(await push3.command('FINISH')).toBe('->SUCCESS: Bye');
    await push3.ended();
    for (const client of clients.splice(0)) client.close();
    expect(await daemon.stop()).toBe(0);

    daemon = await startSite({ site, listeners: PROTOCOLS });
    expect(await pop3Login(daemon.ports.pop3!, 'carol', 'n3w-pass')).toMatch(/^\+OK Logged in/);
    expect(await pop3Login(daemon.ports.pop3!, 'alice', 'secret')).toMatch(/^\+OK Logged in/);
  });

  it('SET idle_timeout and log_level take effect in the running daemon at once', async () => {
    const daemon = await startSite(MONITORED);
    const push3 = await admin(daemon);
    expect(await push3.command('SET idle_timeout 0.5')).toBe('->SUCCESS: idle_timeout=0.5');
    const pop3 = await open(daemon.port('pop3'));
    await pop3.command('USER alice');
    expect(await pop3.command('PASS secret')).toMatch(/^\+OK Logged in/);
    expect(await pop3.line()).toBe('-ERR Disconnected for inactivity');
    await pop3.ended();
    // With workers, their log lines reach the primary's stdout a little later: this session's last one first.
    // (The admin session closes at about the same moment: wait for the POP3 session's line itself.)
    await vi.waitFor(() =>
      expect(daemon.logs.some((entry) => entry.event === 'connection-closed' && entry.protocol === 'pop3')).toBe(true),
    );

    // The admin session was silent as long: the same timeout closed it.
    expect(await push3.line()).toBe('->FAIL: disconnected for inactivity');
    const again = await admin(daemon);

    const logged = daemon.logs.length;
    expect(await again.command('SET log_level warn')).toBe('->SUCCESS: log_level=warn');
    // With workers, the primary passes the setting on over IPC: give it that moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await pop3Login(daemon.port('pop3'), 'alice', 'secret');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // At warn, a whole session (connection, login, close: all info) leaves no line.
    const pop3Lines = daemon.logs.slice(logged).filter((entry) => entry.protocol === 'pop3');
    expect(pop3Lines.filter((entry) => entry.event === 'auth' || entry.event === 'connection-closed')).toEqual([]);
  });
});
