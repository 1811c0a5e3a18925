import type { Server } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asyncScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDirectory } from '../../src/auth/open-directory.js';
import { createLiveSettings } from '../../src/config/live-settings.js';
import { parseConfig } from '../../src/config/load.js';
import { createEventBus } from '../../src/events/server-events.js';
import { createMetrics } from '../../src/metrics/stream.js';
import type { OpenConnection } from '../../src/net/connection.js';
import { startPush3 } from '../../src/push3/server.js';
import { tempDir } from '../support/temp-dir.js';
import { RawClient } from '../support/pop3-client.js';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((done) => done()));

/** Push3 on real sockets, in process: port 0, a real users file, the real metrics stream. */
async function start(prometheus = false) {
  const file = join(await tempDir(), 'users.passwd');
  await writeFile(file, 'root:{PLAIN}toor\nalice:{PLAIN}secret\n');
  const config = parseConfig({
    users: { file },
    push3: { port: 0, admins: ['root'] },
    prometheus: { enabled: prometheus, port: 0 },
  });
  const events = createEventBus();
  const feed = createMetrics(events.events$, { scheduler: asyncScheduler });
  const fold = feed.connect();
  const live = new Set<OpenConnection>();
  const handle = await startPush3({
    config,
    emit: events.emit,
    metrics$: feed.metrics$,
    events$: feed.events$,
    sessions: feed.sessions,
    kick: () => Promise.resolve(),
    users: await openDirectory(config),
    settings: createLiveSettings(config),
    scheduler: asyncScheduler,
    onConnection: (connection) => live.add(connection),
  });
  cleanup.push(() => {
    for (const connection of live) connection.destroy();
    handle.servers.forEach((server: Server) => server.close());
    fold.unsubscribe();
  });
  return handle;
}

describe('Push3 service on real sockets', () => {
  it('greets, survives garbage and over-long lines, logs in admins only, and closes on FINISH', async () => {
    const { port, prometheusPort } = await start();
    expect(prometheusPort).toBeUndefined();
    const client = await RawClient.open(port);
    expect(await client.line()).toBe('->SUCCESS: Push3 ready');
    expect(await client.command('x'.repeat(600))).toBe('->FAIL: Line too long (at most 512 octets)');
    expect(await client.command('LOGIN  root toor')).toBe('->FAIL: Parts must be separated by exactly one space');
    client.send(Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a]));
    expect(await client.line()).toMatch(/^->FAIL: /);
    expect(await client.command('LOGIN alice secret')).toBe('->FAIL: Authentication failed');
    expect(await client.command('LOGIN root toor')).toBe('->SUCCESS: Logged in as root');
    const metrics = await client.command('METRICS');
    expect(metrics).toMatch(/ push3_connections_current=1 push3_connections_total=1 /);
    expect(metrics).toMatch(/ push3_logins_ok=1 push3_logins_failed=1 /);
    expect(await client.command('FINISH')).toBe('->SUCCESS: Bye');
    await client.ended();
  });

  it('streams WATCH lines in real time while answering commands, whole lines only', async () => {
    const { port } = await start();
    const client = await RawClient.open(port);
    await client.line();
    await client.command('LOGIN root toor');
    expect(await client.command('WATCH 1')).toBe('->SUCCESS: Watching every 1 s');
    expect(await client.line()).toMatch(/^->SUCCESS: uptime_seconds=\d+ /);
    // Replies come between watch lines, never inside one.
    const reply = async (command: string): Promise<string> => {
      client.send(`${command}\r\n`);
      let line = await client.line();
      while (line.startsWith('->SUCCESS: uptime_seconds=')) line = await client.line();
      return line;
    };
    expect(await reply('GET log_level')).toBe('->SUCCESS: log_level=info');
    expect(await reply('UNWATCH')).toBe('->SUCCESS: Stopped watching');
    expect(await client.command('FINISH')).toBe('->SUCCESS: Bye');
    await client.ended();
  });

  it('serves Prometheus beside Push3 when enabled', async () => {
    const { prometheusPort, servers } = await start(true);
    expect(servers).toHaveLength(2);
    const text = await (await fetch(`http://127.0.0.1:${prometheusPort}/metrics`)).text();
    expect(text).toContain('pop3d_push3_connections_total 0');
  });
});
