// Soak: mixed load against pop3d for a long time, its memory sampled every minute, to show that nothing
// grows once it is warm. `npm run bench -- --scenarios soak [--soak-minutes 25]`, or on its own:
//
//   node test/bench/soak.mjs [--minutes 25] [--warmup 5] [--fixture DIR] [--json FILE]
//
// Load (modest: the point is time, not pressure): full sessions from 4 clients, 250 ms apart, 200 idle
// logged-in sessions of which 20 are replaced every 30 s, a RETR of the 20 MB message every minute,
// failed logins (3 per connection, then the server closes it) every 250 ms, an over-long line now and
// then, and 2 Push3 sessions under WATCH 1 (one replaced every 5 minutes). Every reply is verified.
// Each minute the daemon's RSS is read from /proc and its heap after a full GC from heap-probe.mjs.
// Growth is the median of the last 3 samples against the median of the 3 after the warm-up.
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ensureFixture } from './fixtures.mjs';
import { fullSession } from './load.mjs';
import { defaultDir, int } from './options.mjs';
import { Pop3Client, ProtocolError } from './pop3-client.mjs';
import { memoryOf } from './rss.mjs';
import { freePort, HOST, startPop3d } from './servers.mjs';
import { percentile } from './stats.mjs';

const PROBE = resolve(import.meta.dirname, 'heap-probe.mjs');
/** A small fixture of its own: the soak is about time, and must not need the 1.2 GB one. */
export const SOAK_FIXTURE = { users: 16, messages: 10, size: 10_000, bigMB: 20, idle: 200, huge: 0, hugeSize: 2_000 };

const log = (...args) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);
const MB = 1024 * 1024;

/** Runs `step` again and again until `endAt`, pausing `pauseMs` between (never past `endAt`); counts outcomes. */
async function loop(name, counts, endAt, pauseMs, step) {
  while (Date.now() < endAt) {
    try {
      await step();
      counts[name] = (counts[name] ?? 0) + 1;
    } catch (error) {
      const key = `${name} error: ${String(error.message ?? error).slice(0, 80)}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    await sleep(Math.min(pauseMs, Math.max(0, endAt - Date.now())));
  }
}

async function loggedIn(target, manifest, user) {
  const client = await Pop3Client.open(target.host, target.port);
  for (const line of [`USER ${user}`, `PASS ${manifest.password}`]) {
    const reply = await client.command(line);
    if (!reply.ok) {
      client.destroy();
      throw new ProtocolError(`${line.split(' ')[0]}: ${reply.status}`);
    }
  }
  return client;
}

async function quit(client) {
  try {
    await client.command('QUIT');
  } finally {
    client.destroy();
  }
}

/** 200 idle logged-in sessions; every 30 s, 20 of them QUIT and are opened again. */
async function idleSessions(target, manifest, counts, endAt) {
  const users = manifest.plan.idleUsers;
  const open = new Map();
  for (const user of users) open.set(user, await loggedIn(target, manifest, user));
  while (Date.now() + 30_000 < endAt) {
    await sleep(30_000);
    for (const user of users.slice(0, 20)) users.push(users.shift());
    for (const user of users.slice(-20)) {
      try {
        const noop = await open.get(user).command('NOOP');
        if (!noop.ok) throw new ProtocolError(`NOOP: ${noop.status}`);
        await quit(open.get(user));
        open.set(user, await loggedIn(target, manifest, user));
        counts.idleReplaced = (counts.idleReplaced ?? 0) + 1;
      } catch (error) {
        counts[`idle error: ${error.message}`] = (counts[`idle error: ${error.message}`] ?? 0) + 1;
      }
    }
  }
  await Promise.all([...open.values()].map((client) => quit(client).catch(() => undefined)));
}

/** RETR of the big message, checked against LIST. */
async function bigRetr(target, manifest) {
  const client = await loggedIn(target, manifest, manifest.plan.big);
  try {
    const size = Number((await client.command('LIST 1')).status.split(' ')[2]);
    const reply = await client.command('RETR 1', { multi: true });
    if (!reply.ok || reply.octets !== size) throw new ProtocolError(`RETR: ${reply.octets} octets, LIST said ${size}`);
    await client.command('QUIT');
  } finally {
    client.destroy();
  }
}

/** Three wrong passwords: the third closes the connection. Then an over-long line on a fresh one. */
async function failedLogins(target, manifest, round) {
  const client = await Pop3Client.open(target.host, target.port);
  try {
    for (let i = 0; i < 3; i += 1) {
      await client.command(`USER ${manifest.plan.sessionUsers[round % manifest.plan.sessionUsers.length]}`);
      const reply = await client.command('PASS wrong');
      if (reply.ok) throw new ProtocolError('a wrong password was accepted');
    }
    await client.whenClosed();
  } finally {
    client.destroy();
  }
  if (round % 20 === 0) {
    const long = await Pop3Client.open(target.host, target.port);
    try {
      const reply = await long.command('X'.repeat(2_000));
      if (reply.ok || !/Line too long/.test(reply.status)) throw new ProtocolError(`long line: ${reply.status}`);
      await long.command('QUIT');
    } finally {
      long.destroy();
    }
  }
}

/** A Push3 session under WATCH 1 for `ms`, every watch line checked; then FINISH. */
function watchFor(port, admin, password, ms) {
  return new Promise((resolveWatch, reject) => {
    const socket = connect({ host: HOST, port });
    let buffer = '';
    let lines = 0;
    let step = 0;
    const fail = (error) => {
      socket.destroy();
      reject(error);
    };
    socket.setEncoding('utf8');
    socket.on('error', fail);
    socket.on('data', (text) => {
      buffer += text;
      for (let at = buffer.indexOf('\r\n'); at !== -1; at = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (!line.startsWith('->SUCCESS:')) return fail(new ProtocolError(`Push3: ${line}`));
        if (step === 0) socket.write(`LOGIN ${admin} ${password}\r\n`);
        if (step === 1) socket.write('WATCH 1\r\n');
        if (step === 2) setTimeout(() => socket.write('FINISH\r\n'), ms);
        if (step > 2 && line.includes('uptime_seconds=')) lines += 1;
        step += 1;
      }
    });
    socket.on('close', () => (step > 2 ? resolveWatch(lines) : reject(new ProtocolError('Push3 closed early'))));
  });
}

/** Asks the daemon for a heap sample (heap-probe.mjs) and reads it, with RSS from /proc. */
async function sample(pid, probeFile, minute) {
  process.kill(pid, 'SIGUSR2');
  await sleep(1_000);
  const lines = readFileSync(probeFile, 'utf8').trim().split('\n');
  const heap = JSON.parse(lines.at(-1));
  const { rssKB } = memoryOf(pid, { tree: false, pss: false });
  return { minute, rssMB: rssKB / 1024, heapUsedMB: heap.heapUsed / MB, heapTotalMB: heap.heapTotal / MB, externalMB: heap.external / MB };
}

const median = (values) => percentile(values, 50);

/** Growth of `key` from just after the warm-up to the end, in percent (medians of 3 samples each). */
function growth(samples, warmup, key) {
  const after = samples.filter((s) => s.minute >= warmup);
  if (after.length < 6) return undefined;
  const start = median(after.slice(0, 3).map((s) => s[key]));
  const end = median(after.slice(-3).map((s) => s[key]));
  return { start, end, percent: ((end - start) / start) * 100 };
}

export async function soak({ dir, minutes = 25, warmup = 5, log: say = log }) {
  const manifest = ensureFixture(dir, SOAK_FIXTURE, { log: say });
  const admin = manifest.plan.sessionUsers[0];
  const probeFile = join(dir, `heap-probe-${process.pid}.jsonl`);
  writeFileSync(probeFile, '');
  process.env.SOAK_HEAP_PROBE_FILE = probeFile;
  const pushPort = await freePort();
  const server = await startPop3d({
    dir,
    nodeArgs: ['--expose-gc', '--import', PROBE],
    config: {
      push3: { enabled: true, host: HOST, port: pushPort, admins: [admin] },
      prometheus: { enabled: false },
      auth: { failureDelay: 20, failureDelayMax: 200 },
    },
  });
  const { target } = server;
  const pid = server.memory.pid;
  const counts = {};
  const samples = [];
  // The load goes on a little past the last sample, so that every sample is taken under load.
  const endAt = Date.now() + minutes * 60_000 + 20_000;
  say(`soak: ${minutes} minutes against pid ${pid} (warm-up ${warmup}); fixture ${dir}`);
  try {
    samples.push(await sample(pid, probeFile, 0));
    const startedAt = Date.now();
    const sampler = (async () => {
      for (let minute = 1; minute <= minutes; minute += 1) {
        await sleep(Math.max(0, startedAt + minute * 60_000 - Date.now()));
        const s = await sample(pid, probeFile, minute);
        samples.push(s);
        say(`  minute ${minute}: RSS ${s.rssMB.toFixed(1)} MB, heap after GC ${s.heapUsedMB.toFixed(2)} MB; ${JSON.stringify(counts)}`);
      }
    })();
    let round = 0;
    await Promise.all([
      sampler,
      ...manifest.plan.sessionUsers.slice(0, 4).map((user) => loop('sessions', counts, endAt, 250, () => fullSession(target, manifest, user))),
      idleSessions(target, manifest, counts, endAt),
      loop('bigRetr', counts, endAt, 60_000, () => bigRetr(target, manifest)),
      loop('failedLogins', counts, endAt, 250, () => failedLogins(target, manifest, round++)),
      ...[0, 1].map((i) =>
        loop(`watch${i}`, counts, endAt, 0, async () => {
          const left = Math.max(1_000, endAt - Date.now());
          const watched = await watchFor(pushPort, admin, manifest.password, i === 0 ? Math.min(300_000, left) : left);
          counts.watchLines = (counts.watchLines ?? 0) + watched;
        }),
      ),
    ]);
  } finally {
    await server.stop();
  }
  const errors = Object.entries(counts).filter(([key]) => key.includes('error'));
  return {
    minutes,
    warmup,
    counts,
    errors: errors.reduce((sum, [, n]) => sum + n, 0),
    samples,
    rss: growth(samples, warmup, 'rssMB'),
    heap: growth(samples, warmup, 'heapUsedMB'),
  };
}

export function formatSoak(result) {
  const pct = (g) => (g === undefined ? 'n/a' : `${g.start.toFixed(1)} -> ${g.end.toFixed(1)} MB (${g.percent >= 0 ? '+' : ''}${g.percent.toFixed(1)}%)`);
  return [
    `soak, ${result.minutes} min (warm-up ${result.warmup} min): ${JSON.stringify(result.counts)}`,
    `  RSS after warm-up:           ${pct(result.rss)}   target < 5%: ${result.rss && result.rss.percent < 5 ? 'met' : 'MISSED'}`,
    `  heap after GC, after warm-up: ${pct(result.heap)}   target < 5%: ${result.heap && result.heap.percent < 5 ? 'met' : 'MISSED'}`,
    `  errors: ${result.errors}`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { minutes: { type: 'string' }, warmup: { type: 'string' }, fixture: { type: 'string' }, json: { type: 'string' } },
  });
  const dir = values.fixture ?? `${defaultDir()}-soak`;
  const result = await soak({ dir, minutes: int(values.minutes, 25), warmup: int(values.warmup, 5) });
  if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
  console.log(formatSoak(result));
}
