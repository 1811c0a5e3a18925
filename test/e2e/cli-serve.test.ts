import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanUpDaemons, makeSite, startSite, type RunningDaemon, type Site } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';
import { runCli } from '../support/run-cli.js';

let site: Site;
let daemon: RunningDaemon | undefined;
afterEach(cleanUpDaemons);

type Log = Record<string, unknown>;

/** The first log line from index `from` on that matches, waiting for it to be written. */
async function logLine(match: (entry: Log) => boolean, from = 0): Promise<Log> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const found = daemon!.logs.slice(from).find(match);
    if (found) return found;
    await sleep(20);
  }
  throw new Error(`no such log line; have: ${JSON.stringify(daemon!.logs.slice(from))}`);
}

/** Sends SIGHUP and waits until that reload is done (its `reloaded` or `reload-failed` line). */
async function reload(): Promise<Log[]> {
  const from = daemon!.logs.length;
  daemon!.process.kill('SIGHUP');
  await logLine((entry) => entry.event === 'reloaded' || entry.event === 'reload-failed', from);
  return daemon!.logs.slice(from);
}

async function login(user: string, password: string): Promise<{ client: RawClient; reply: string }> {
  const client = await RawClient.open(daemon!.ports.pop3!);
  await client.line();
  await client.command(`USER ${user}`);
  return { client, reply: await client.command(`PASS ${password}`) };
}

function editConfig(change: (raw: Record<string, Record<string, unknown>>) => void): void {
  const raw = JSON.parse(readFileSync(site.configFile, 'utf8')) as Record<string, Record<string, unknown>>;
  change(raw);
  writeFileSync(site.configFile, JSON.stringify(raw));
}

describe('pop3d serve: life cycle', () => {
  it('logs one JSON object per line on stdout, for journald', async () => {
    site = makeSite();
    daemon = await startSite({ site });
    const out: string[] = [];
    daemon.process.stdout!.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    (await login('alice', 'secret')).client.close();
    await logLine((entry) => entry.event === 'connection-closed');
    await daemon.stop();
    const lines = out.join('').split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number), time: expect.any(Number) });
    daemon = undefined;
  });

  it('gathers log lines (log.flushMs) and still writes every one of them when it stops', async () => {
    site = makeSite({ config: { log: { level: 'info', flushMs: 2_000 } } });
    daemon = await startSite({ site });
    const { client, reply } = await login('alice', 'secret');
    expect(reply).toMatch(/^\+OK/);
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
    await client.ended();
    // Stopped at once, before the lines of the session are due: the exit writes them.
    expect(await daemon.stop()).toBe(0);
    const events = daemon.logs.map((entry) => entry.event);
    expect(events).toEqual(expect.arrayContaining(['connection-opened', 'auth', 'connection-closed', 'stopped']));
    expect(events.at(-1)).toBe('stopped');
    daemon = undefined;
  });

  it('SIGHUP reloads the users file: a user added with `pop3d user add` can log in', async () => {
    site = makeSite({ users: { alice: 'secret' }, config: { mail: { autocreate: true } } });
    daemon = await startSite({ site });
    expect((await runCli(['user', 'add', 'bob', '--config', site.configFile], 'hunter2\n')).code).toBe(0);
    const before = await login('bob', 'hunter2');
    expect(before.reply).toMatch(/^-ERR/);
    before.client.close();
    const logs = await reload();
    expect(logs.find((entry) => entry.event === 'reloaded')).toMatchObject({ users: 2, applied: [] });
    const after = await login('bob', 'hunter2');
    expect(after.reply).toMatch(/^\+OK/);
    after.client.close();
  });

  it('SIGHUP applies what can change live and logs what needs a restart', async () => {
    site = makeSite();
    daemon = await startSite({ site });
    editConfig((raw) => {
      raw.pop3 = { ...raw.pop3, idleTimeout: 1, port: 1 };
      raw.log = { ...raw.log, level: 'debug' };
      raw.users = { file: 'other.passwd' };
    });
    const from = daemon.logs.length;
    let logs = await reload();
    // Each worker logs its own reload when there are several (the primary applies no POP3 setting): the union.
    const applied = (): Set<unknown> =>
      new Set(logs.filter((entry) => entry.event === 'reloaded').flatMap((entry) => entry.applied as unknown[]));
    await vi.waitFor(() => {
      logs = daemon!.logs.slice(from);
      expect([...applied()].sort()).toEqual(['log.level', 'pop3.idleTimeout']);
    });
    // Each worker logs its own reload when there are several: the keys, once each.
    const restart = new Set(logs.filter((entry) => entry.event === 'reload-needs-restart').map((entry) => entry.key));
    expect([...restart]).toEqual(['pop3.port', 'users.file']);
    expect(logs.find((entry) => entry.key === 'pop3.port')?.msg).toBe('pop3.port changed: needs restart');

    // The old port and users file stay in use; the new idle timeout applies to the next session.
    const { client, reply } = await login('alice', 'secret');
    expect(reply).toMatch(/^\+OK/);
    const started = Date.now();
    expect(await client.line()).toBe('-ERR Disconnected for inactivity');
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.ended();
  });

  it('SIGHUP applies a new connection limit to the next connections', async () => {
    site = makeSite();
    daemon = await startSite({ site, listeners: ['pop3'] });
    editConfig((raw) => (raw.limits = { maxConnections: 1 }));
    expect((await reload()).find((entry) => entry.event === 'reloaded')).toMatchObject({ applied: ['limits.maxConnections'] });
    const first = await RawClient.open(daemon.ports.pop3!);
    expect(await first.line()).toMatch(/^\+OK/);
    const second = await RawClient.open(daemon.ports.pop3!);
    expect(await second.line()).toBe('-ERR [SYS/TEMP] Too many connections, try again later');
    first.close();
    second.close();
  });

  it('SIGHUP changes the log level at once', async () => {
    site = makeSite();
    daemon = await startSite({ site });
    const infoAfter = async (from: number): Promise<unknown[]> => {
      const { client, reply } = await login('alice', 'secret');
      expect(reply).toMatch(/^\+OK/);
      client.close();
      await sleep(300);
      return daemon!.logs.slice(from).filter((entry) => (entry.level as number) < 40);
    };
    expect(await infoAfter(daemon.logs.length)).not.toEqual([]);

    editConfig((raw) => {
      raw.log = { ...raw.log, level: 'warn' };
      raw.pop3 = { ...raw.pop3, host: 'localhost' };
    });
    const from = daemon.logs.length;
    daemon.process.kill('SIGHUP');
    // At level warn, the warning is the reload's last visible line.
    await logLine((entry) => entry.event === 'reload-needs-restart', from);
    expect(await infoAfter(daemon.logs.length)).toEqual([]);
  });

  it('SIGHUP with a broken config keeps the running config and keeps serving', async () => {
    site = makeSite();
    daemon = await startSite({ site });
    writeFileSync(site.configFile, '{ "pop3": { "port": "many" } }');
    const logs = await reload();
    const failed = logs.find((entry) => entry.event === 'reload-failed');
    expect(failed?.reason).toMatch(/^invalid config: pop3\.port: /);
    const { client, reply } = await login('alice', 'secret');
    expect(reply).toMatch(/^\+OK/);
    client.close();
  });

  it('SIGHUP with an unreadable users file keeps the users it had', async () => {
    site = makeSite({ users: { alice: 'secret' } });
    daemon = await startSite({ site });
    rmSync(`${site.dir}/users.passwd`);
    const logs = await reload();
    expect(logs.find((entry) => entry.event === 'reload-failed')?.reason).toMatch(/cannot read users file .*ENOENT/);
    const { client, reply } = await login('alice', 'secret');
    expect(reply).toMatch(/^\+OK/);
    client.close();
  });

  it('SIGTERM drains: an open session may finish, then the daemon exits 0', async () => {
    site = makeSite({ mail: { alice: ['Subject: a\n\nx\n'] } });
    daemon = await startSite({ site });
    const { client } = await login('alice', 'secret');
    daemon.process.kill('SIGTERM');
    await logLine((entry) => entry.event === 'shutdown');
    expect(await client.command('STAT')).toMatch(/^\+OK 1 /);
    expect(await client.command('QUIT')).toMatch(/^\+OK/);
    expect(await daemon.exited).toBe(0);
    daemon = undefined;
  });
});
