import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, cleanUpDaemons, makeSite, startSite, type RunningDaemon, type Site } from '../support/daemon.js';
import { RawClient } from '../support/pop3-client.js';

/*
 * Chaos, bounded: for about 25 s the daemon is killed with SIGKILL again and again (with workers, every
 * other kill hits a worker instead, which the primary replaces), while a session logs in, retrieves,
 * DELEs and QUITs in a loop and `pop3d deliver` delivers messages (some deliveries killed mid-write).
 * Afterwards every delivered message that no completed QUIT removed is in the Maildir exactly once and
 * whole; those a completed QUIT removed are gone; what a killed delivery left in tmp/ is never served.
 */

const RUN_MS = 25_000;
const workers = Number(process.env.POP3D_WORKERS ?? 1) || 1;

afterEach(cleanUpDaemons);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const idOf = (text: string): string | undefined => /^Message-Id: <(chaos-\d+)@test>/m.exec(text)?.[1];

/** A message with its id in a header and a body whose length varies, so a torn copy cannot pass for whole. */
function message(n: number): string {
  const line = `${'abcdefghij'.repeat(7)} ${n}\n`;
  return `Message-Id: <chaos-${n}@test>\nSubject: chaos ${n}\n\n${line.repeat(5 + ((n * 37) % 200))}.dotted line ${n}\n`;
}

/**
 * Runs `pop3d deliver alice`; resolves with its exit code. `killMidWrite`: only half the message is sent,
 * and the delivery is killed with SIGKILL once its file is in tmp/.
 */
async function deliver(site: Site, text: string, killMidWrite = false): Promise<number | null> {
  const child = spawn(process.execPath, [CLI, 'deliver', 'alice', '--config', site.configFile], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdin.on('error', () => undefined);
  if (!killMidWrite) {
    child.stdin.end(text);
    return exited;
  }
  const tmp = join(site.maildir('alice'), 'tmp');
  const before = readdirSync(tmp).length;
  child.stdin.write(text.slice(0, text.length >> 1));
  for (let waited = 0; readdirSync(tmp).length === before && waited < 3_000; waited += 20) await sleep(20);
  child.kill('SIGKILL');
  return exited;
}

/** The next line within `ms`, or an error (the daemon may be dead). */
async function line(client: RawClient, ms = 3_000): Promise<string> {
  return Promise.race([client.line(), sleep(ms).then(() => Promise.reject(new Error('no reply')))]);
}

async function multiline(client: RawClient, ms = 3_000): Promise<string> {
  return Promise.race([client.multiline(), sleep(ms).then(() => Promise.reject(new Error('no reply')))]);
}

interface Ledger {
  /** Every message handed to a delivery that is not killed, from before it runs: a session may see it first. */
  readonly sent: Map<string, string>;
  /** Those whose delivery exited 0. */
  readonly delivered: Map<string, string>;
  /** Removed by a QUIT whose +OK arrived. */
  readonly removed: Set<string>;
  /** DELE'd in a session that was cut before QUIT's +OK: either gone or there whole. */
  readonly maybeRemoved: Set<string>;
}

/** One session: log in, RETR up to 3 messages (each must be whole), DELE them, QUIT. */
async function session(port: number, ledger: Ledger): Promise<void> {
  const client = await RawClient.open(port);
  const marked: string[] = [];
  let quitSent = false;
  try {
    await line(client);
    client.send('USER alice\r\n');
    await line(client);
    client.send('PASS secret\r\n');
    const pass = await line(client);
    if (!pass.startsWith('+OK')) return;
    const count = Number(/Logged in: (\d+)/.exec(pass)?.[1] ?? 0);
    for (let n = 1; n <= Math.min(3, count); n += 1) {
      client.send(`RETR ${n}\r\n`);
      const retrieved = await multiline(client);
      const body = retrieved.slice(retrieved.indexOf('\r\n') + 2, -3).replace(/\r\n/g, '\n').replace(/^\.\./gm, '.');
      const id = idOf(body);
      expect(id, `message ${n} has no id: ${body.slice(0, 80)}`).toBeDefined();
      expect(body, `${id} retrieved torn, or never delivered`).toBe(ledger.sent.get(id!));
      client.send(`DELE ${n}\r\n`);
      expect(await line(client)).toMatch(/^\+OK/);
      marked.push(id!);
    }
    quitSent = true;
    client.send('QUIT\r\n');
    const quit = await line(client, 10_000);
    for (const id of marked) (quit.startsWith('+OK') ? ledger.removed : ledger.maybeRemoved).add(id);
  } catch (error) {
    // The daemon died under us: what was marked is removed or not, never half.
    if (quitSent) for (const id of marked) ledger.maybeRemoved.add(id);
    if (!/no reply|connection closed|ECONNRESET|ECONNREFUSED/.test(String(error))) throw error;
  } finally {
    client.close();
  }
}

function messageFiles(site: Site): { dir: string; name: string; text: string }[] {
  const maildir = site.maildir('alice');
  return ['new', 'cur'].flatMap((dir) =>
    readdirSync(join(maildir, dir)).map((name) => ({ dir, name, text: readFileSync(join(maildir, dir, name), 'utf8') })),
  );
}

describe('chaos: kill -9 in a loop while sessions DELE/QUIT and deliveries run', () => {
  it('loses no delivered mail, duplicates none, tears none, and serves nothing from tmp/', async () => {
    const site = makeSite({ users: { alice: 'secret' }, config: { mail: { lockStaleSeconds: 2, autocreate: true } } });
    const ledger: Ledger = { sent: new Map(), delivered: new Map(), removed: new Set(), maybeRemoved: new Set() };
    let daemon: RunningDaemon = await startSite({ site });
    const endAt = Date.now() + RUN_MS;
    const running = (): boolean => Date.now() < endAt;
    let kills = 0;
    let workerKills = 0;
    let sessions = 0;

    const deliveries = (async () => {
      for (let n = 1; running(); n += 1) {
        const text = message(n);
        if (n % 6 === 0) {
          await deliver(site, text, true); // killed mid-write: must leave nothing in new/ or cur/
          continue;
        }
        ledger.sent.set(`chaos-${n}`, text);
        const code = await deliver(site, text);
        expect(code).toBe(0);
        ledger.delivered.set(`chaos-${n}`, text);
      }
    })();
    const sessionLoop = (async () => {
      while (running()) {
        await session(daemon.port('pop3'), ledger).catch((error: unknown) => {
          if (!/ECONNREFUSED|ECONNRESET/.test(String(error))) throw error;
        });
        sessions += 1;
        await sleep(50);
      }
    })();
    const killer = (async () => {
      while (running()) {
        await sleep(1_000 + Math.random() * 1_500);
        if (!running()) break;
        const worker = workers > 1 && kills % 2 === 1 ? workerPid(daemon) : undefined;
        if (worker !== undefined) {
          process.kill(worker, 'SIGKILL');
          workerKills += 1;
        } else {
          daemon.process.kill('SIGKILL');
          await daemon.exited;
          daemon = await startSite({ site });
        }
        kills += 1;
      }
    })();
    await Promise.all([deliveries, sessionLoop, killer]);
    await daemon.stop();

    expect(kills).toBeGreaterThanOrEqual(5);
    if (workers > 1) expect(workerKills).toBeGreaterThanOrEqual(2);
    expect(sessions).toBeGreaterThan(5);
    expect(ledger.delivered.size).toBeGreaterThan(10);
    expect(ledger.removed.size).toBeGreaterThan(0);

    const files = messageFiles(site);
    const seen = new Map<string, number>();
    for (const { name, text } of files) {
      const id = idOf(text);
      expect(id, `${name} is not a delivered message`).toBeDefined();
      expect(ledger.delivered.has(id!), `${id} was never delivered (a killed delivery's copy?)`).toBe(true);
      expect(text, `${id} is torn`).toBe(ledger.delivered.get(id!));
      seen.set(id!, (seen.get(id!) ?? 0) + 1);
    }
    for (const [id] of ledger.delivered) {
      if (ledger.removed.has(id)) expect(seen.get(id), `${id} survived a completed QUIT`).toBeUndefined();
      else if (!ledger.maybeRemoved.has(id)) expect(seen.get(id), `${id} lost or duplicated`).toBe(1);
      else expect([undefined, 1]).toContain(seen.get(id));
    }

    // A fresh daemon serves exactly the files of new/ and cur/: nothing a killed delivery left in tmp/.
    const last = await startSite({ site });
    const client = await RawClient.open(last.port('pop3'));
    await client.line();
    await client.command('USER alice');
    let pass = await client.command('PASS secret');
    for (let tries = 0; pass.includes('IN-USE') && tries < 20; tries += 1) {
      await sleep(250);
      await client.command('USER alice');
      pass = await client.command('PASS secret');
    }
    expect(pass).toMatch(new RegExp(`^\\+OK Logged in: ${files.length} messages?`));
    const tmp = readdirSync(join(site.maildir('alice'), 'tmp'));
    expect(tmp.length, 'killed deliveries left their files in tmp/').toBeGreaterThan(0);
    client.send('UIDL\r\n');
    const uidl = await client.multiline();
    for (const name of tmp) expect(uidl).not.toContain(name.split(':')[0]);
    await client.command('QUIT');
    client.close();
  }, 60_000);
});

/** The pid of one worker of a daemon with workers, from its `worker-started` log lines (the latest alive). */
function workerPid(daemon: RunningDaemon): number | undefined {
  const started = daemon.logs.filter((entry) => entry.event === 'worker-ready').map((entry) => Number(entry.pid));
  for (const pid of started.reverse()) {
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      // gone already
    }
  }
  return undefined;
}
