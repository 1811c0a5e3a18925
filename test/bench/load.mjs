// POP3 load scenarios against any host:port. Each scenario stops by itself (a duration or a count), verifies
// every reply, and returns plain numbers. As a CLI it prints one scenario's result as JSON:
//
//   node test/bench/load.mjs --port 1110 --scenario sessions --clients 64 --duration 10 [--fixture DIR]
//        [--host 127.0.0.1] [--pipelined] [--count N] [--server-pid PID [--tree]]
import { setTimeout as sleep } from 'node:timers/promises';
import { expectedOf } from './fixtures.mjs';
import { bodyLines, Pop3Client, ProtocolError } from './pop3-client.mjs';
import { memoryOf, startSampler } from './rss.mjs';
import { percentile } from './stats.mjs';

const now = () => performance.now();

/** Rejects after `ms`, destroying the client so that nothing is left running. */
async function bounded(promise, ms, client, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      client?.destroy();
      reject(new ProtocolError(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function must(reply, what) {
  if (!reply.ok) throw new ProtocolError(`${what}: ${reply.status}`);
  return reply;
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

/** Checks STAT, LIST and UIDL against each other and against the fixture; returns LIST's sizes. */
function checkListing(expected, stat, list, uidl) {
  const match = /^\+OK (\d+) (\d+)/.exec(must(stat, 'STAT').status);
  if (!match) throw new ProtocolError(`STAT: ${stat.status}`);
  const [count, octets] = [Number(match[1]), Number(match[2])];
  if (count !== expected.count) throw new ProtocolError(`STAT: ${count} messages, expected ${expected.count}`);
  const sizes = bodyLines(must(list, 'LIST').body).map((line, index) => {
    const [number, size] = line.split(' ').map(Number);
    if (number !== index + 1) throw new ProtocolError(`LIST: line ${index + 1} is ${JSON.stringify(line)}`);
    return size;
  });
  if (sizes.length !== count || sum(sizes) !== octets) throw new ProtocolError(`LIST disagrees with STAT ${count} ${octets}`);
  if (expected.wire) {
    const want = [...expected.wire].sort((a, b) => a - b).join();
    if ([...sizes].sort((a, b) => a - b).join() !== want) throw new ProtocolError('LIST sizes differ from the fixture');
  }
  const uids = bodyLines(must(uidl, 'UIDL').body).map((line) => line.split(' ')[1]);
  if (uids.length !== count || new Set(uids).size !== count) throw new ProtocolError('UIDL: wrong or duplicate ids');
  return sizes;
}

function checkRetrieved(replies, sizes) {
  let octets = 0;
  replies.forEach((reply, index) => {
    must(reply, `RETR ${index + 1}`);
    if (reply.octets !== sizes[index]) {
      throw new ProtocolError(`RETR ${index + 1}: ${reply.octets} octets after un-stuffing, LIST said ${sizes[index]}`);
    }
    octets += reply.octets;
  });
  return octets;
}

/**
 * USER/PASS, STAT, LIST, UIDL, RETR of every message, QUIT: one command at a time, or all in one write
 * (pipelined). Resolves with the octets retrieved once the server has closed the connection.
 */
export async function fullSession(target, manifest, user, { pipelined = false } = {}) {
  const expected = expectedOf(manifest, user);
  const client = await Pop3Client.open(target.host, target.port);
  try {
    const retrs = Array.from({ length: expected.count }, (_, i) => ({ line: `RETR ${i + 1}`, options: { multi: true } }));
    const commands = [
      { line: `USER ${user}` },
      { line: `PASS ${manifest.password}` },
      { line: 'STAT' },
      { line: 'LIST', options: { multi: true, collect: true } },
      { line: 'UIDL', options: { multi: true, collect: true } },
      ...retrs,
      { line: 'QUIT' },
    ];
    let replies;
    if (pipelined) {
      replies = await Promise.all(client.pipeline(commands));
    } else {
      replies = [];
      for (const { line, options } of commands) {
        const reply = await client.command(line, options);
        replies.push(reply);
        if (!reply.ok) break;
      }
    }
    const [userReply, pass, stat, list, uidl] = replies;
    must(userReply, 'USER');
    must(pass, 'PASS');
    const sizes = checkListing(expected, stat, list, uidl);
    const octets = checkRetrieved(replies.slice(5, 5 + expected.count), sizes);
    must(replies[5 + expected.count], 'QUIT');
    await bounded(client.whenClosed(), 5_000, client, 'close after QUIT');
    return octets;
  } finally {
    client.destroy();
  }
}

function errorSummary(errors) {
  const counts = new Map();
  for (const error of errors) counts.set(error, (counts.get(error) ?? 0) + 1);
  return [...counts].slice(0, 5).map(([message, count]) => `${count}x ${message}`);
}

/**
 * `clients` clients, each with its own user, each running full sessions back to back until `durationMs`
 * has passed (sessions under way then are finished and counted). A warm-up session per user comes first.
 */
export async function sessionsScenario({ target, manifest, clients, durationMs = 10_000, pipelined = false, memory }) {
  const users = manifest.plan.sessionUsers.slice(0, clients);
  if (users.length < clients) throw new Error(`the fixture has ${users.length} session users, ${clients} needed`);
  await Promise.all(users.map((user) => fullSession(target, manifest, user, { pipelined }).catch(() => undefined)));
  const sampler = startSampler(memory);
  const latencies = [];
  const errors = [];
  let octets = 0;
  const started = now();
  const deadline = started + durationMs;
  await Promise.all(
    users.map(async (user) => {
      while (now() < deadline) {
        const began = now();
        try {
          // Not `octets += await ...`: that reads `octets` before waiting, and loses the other clients' updates.
          const retrieved = await bounded(fullSession(target, manifest, user, { pipelined }), 60_000, undefined, 'session');
          octets += retrieved;
          latencies.push(now() - began);
        } catch (error) {
          errors.push(String(error.message ?? error));
          await sleep(20);
        }
      }
    }),
  );
  const seconds = (now() - started) / 1000;
  const mem = sampler.stop();
  return {
    scenario: pipelined ? 'pipelined' : 'sessions',
    clients,
    seconds,
    sessions: latencies.length,
    sessionsPerSecond: latencies.length / seconds,
    MBps: octets / 1e6 / seconds,
    p50ms: percentile(latencies, 50),
    p99ms: percentile(latencies, 99),
    errors: errors.length,
    errorSamples: errorSummary(errors),
    rssPeakMB: mem && mem.peak.rssKB / 1024,
    serverCpu: mem?.serverCpu,
    clientCpu: mem?.clientCpu,
    otherCpu: mem?.otherCpu,
  };
}

/** Reads at most `bytesPerSecond` for `seconds` by pausing the socket, then lets it run freely. */
function throttle(socket, bytesPerSecond, seconds) {
  const started = now();
  let received = 0;
  const onData = (chunk) => {
    received += chunk.length;
    const elapsed = (now() - started) / 1000;
    if (elapsed >= seconds) {
      socket.off('data', onData);
      return;
    }
    const ahead = received - bytesPerSecond * elapsed;
    if (ahead > 0) {
      socket.pause();
      setTimeout(() => socket.resume(), Math.min((ahead / bytesPerSecond) * 1000, (seconds - elapsed) * 1000));
    }
  };
  socket.on('data', onData);
}

/**
 * One RETR of the big message, timed from the command to the terminator; the server's memory is sampled
 * throughout. `slow`: { bytesPerSecond, seconds } reads slowly first, to show that the server waits for the
 * reader instead of buffering the message.
 */
export async function largeRetrScenario({ target, manifest, slow, memory, repeat = slow ? 1 : 3 }) {
  const user = manifest.plan.big;
  const runs = [];
  const errors = [];
  for (let run = 0; run < repeat; run++) {
    const client = await Pop3Client.open(target.host, target.port);
    try {
      must(await client.command(`USER ${user}`), 'USER');
      must(await client.command(`PASS ${manifest.password}`), 'PASS');
      const size = Number(must(await client.command('LIST 1'), 'LIST 1').status.split(' ')[2]);
      await sleep(200);
      const sampler = startSampler(memory, 50);
      const started = now();
      const reply = client.command('RETR 1', { multi: true });
      if (slow) throttle(client.socket, slow.bytesPerSecond, slow.seconds);
      const retrieved = await bounded(reply, 600_000, client, 'RETR');
      const seconds = (now() - started) / 1000;
      const mem = sampler.stop();
      must(retrieved, 'RETR');
      if (retrieved.octets !== size) throw new ProtocolError(`RETR: ${retrieved.octets} octets, LIST said ${size}`);
      must(await client.command('QUIT'), 'QUIT');
      runs.push({
        seconds,
        MBps: size / 1e6 / seconds,
        rssGrowthMB: mem && (mem.peak.rssKB - mem.baseline.rssKB) / 1024,
        rssPeakMB: mem && mem.peak.rssKB / 1024,
      });
    } catch (error) {
      errors.push(String(error.message ?? error));
    } finally {
      client.destroy();
    }
  }
  const best = runs.reduce((a, b) => (b.MBps > (a?.MBps ?? 0) ? b : a), undefined);
  return {
    scenario: slow ? 'large-slow' : 'large',
    megabytes: manifest.users[user].wire[0] / 1e6,
    runs: runs.length,
    MBps: best?.MBps,
    seconds: best?.seconds,
    medianMBps: percentile(
      runs.map((r) => r.MBps),
      50,
    ),
    rssGrowthMB: Math.max(...runs.map((r) => r.rssGrowthMB ?? 0)),
    rssPeakMB: Math.max(...runs.map((r) => r.rssPeakMB ?? 0)),
    errors: errors.length,
    errorSamples: errorSummary(errors),
  };
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function pool(items, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

const mb = (kB) => Math.round(kB / 1024);

/**
 * `count` authenticated sessions (one user each), held open and idle: the server's memory is measured
 * `holdMs` after the last login, and again once `settleMs` have passed (V8 gives back what the burst of
 * logins left behind only after the process has been idle for a while: some 10-15 s in most runs, more than
 * 30 s in some; the settled figure is what the idle sessions keep); then every session must still answer
 * NOOP, and all QUIT.
 */
export async function idleScenario({ target, manifest, count, concurrency = 100, holdMs = 5_000, settleMs = 90_000, memory }) {
  const users = manifest.plan.idleUsers.slice(0, count);
  if (users.length < count) throw new Error(`the fixture has ${users.length} idle users, ${count} needed`);
  const before = memory && memoryOf(memory.pid, { tree: memory.tree });
  const clients = [];
  const errors = [];
  const started = now();
  await pool(users, concurrency, async (user) => {
    let client;
    try {
      client = await Pop3Client.open(target.host, target.port);
      const [userReply, pass, stat] = await bounded(
        Promise.all(client.pipeline([{ line: `USER ${user}` }, { line: `PASS ${manifest.password}` }, { line: 'STAT' }])),
        60_000,
        client,
        'login',
      );
      must(userReply, 'USER');
      must(pass, 'PASS');
      if (!must(stat, 'STAT').status.startsWith(`+OK 1 ${manifest.idleWire}`)) throw new ProtocolError(`STAT: ${stat.status}`);
      clients.push(client);
    } catch (error) {
      client?.destroy();
      errors.push(String(error.message ?? error));
    }
  });
  const openSeconds = (now() - started) / 1000;
  await sleep(holdMs);
  const held = memory && memoryOf(memory.pid, { tree: memory.tree });
  await sleep(Math.max(0, settleMs - holdMs));
  const settled = memory && settleMs > holdMs ? memoryOf(memory.pid, { tree: memory.tree }) : undefined;
  let alive = 0;
  await pool(clients, concurrency, async (client) => {
    try {
      must(await bounded(client.command('NOOP'), 30_000, client, 'NOOP'), 'NOOP');
      alive++;
    } catch (error) {
      errors.push(String(error.message ?? error));
    }
  });
  await pool(clients, concurrency, async (client) => {
    try {
      if (!client.closed) must(await bounded(client.command('QUIT'), 30_000, client, 'QUIT'), 'QUIT');
      await bounded(client.whenClosed(), 5_000, client, 'close');
    } catch (error) {
      errors.push(String(error.message ?? error));
    } finally {
      client.destroy();
    }
  });
  return {
    scenario: 'idle',
    sessions: count,
    opened: clients.length,
    alive,
    openSeconds,
    rssBeforeMB: before && before.rssKB / 1024,
    rssMB: held && held.rssKB / 1024,
    pssMB: held?.pssKB === undefined ? undefined : held.pssKB / 1024,
    settleSeconds: settled && settleMs / 1000,
    rssSettledMB: settled && settled.rssKB / 1024,
    pssSettledMB: settled?.pssKB === undefined ? undefined : settled.pssKB / 1024,
    processes: held?.processes,
    // Per process, the root first: where the memory is, when there are workers.
    processRssMB: { before: before?.rssKBs.map(mb), settled: (settled ?? held)?.rssKBs.map(mb) },
    errors: errors.length,
    errorSamples: errorSummary(errors),
  };
}

/** One login to `user` and STAT: the time from PASS to STAT's answer is the listing cost. */
export async function statLogin({ target, manifest, user = manifest.plan.huge }) {
  const expected = manifest.users[user];
  const client = await Pop3Client.open(target.host, target.port);
  try {
    must(await client.command(`USER ${user}`), 'USER');
    const started = now();
    must(await bounded(client.command(`PASS ${manifest.password}`), 600_000, client, 'PASS'), 'PASS');
    const loggedIn = now();
    const stat = must(await bounded(client.command('STAT'), 600_000, client, 'STAT'), 'STAT');
    const done = now();
    const [count, octets] = stat.status.split(' ').slice(1).map(Number);
    if (count !== expected.count) throw new ProtocolError(`STAT: ${count} messages, expected ${expected.count}`);
    if (expected.octets !== undefined && octets !== expected.octets) throw new ProtocolError(`STAT: ${octets} octets, expected ${expected.octets}`);
    must(await client.command('QUIT'), 'QUIT');
    return { passMs: loggedIn - started, statMs: done - loggedIn, totalMs: done - started };
  } finally {
    client.destroy();
  }
}

// CLI
if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { readManifest } = await import('./fixtures.mjs');
  const { defaultDir, int } = await import('./options.mjs');
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      fixture: { type: 'string' },
      scenario: { type: 'string', default: 'sessions' },
      clients: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      pipelined: { type: 'boolean' },
      'server-pid': { type: 'string' },
      tree: { type: 'boolean' },
    },
  });
  const manifest = readManifest(values.fixture ?? defaultDir());
  if (!manifest) throw new Error('no fixture: run node test/bench/fixtures.mjs first');
  const target = { host: values.host, port: int(values.port, 1110) };
  const memory = values['server-pid'] ? { pid: int(values['server-pid']), tree: Boolean(values.tree) } : undefined;
  const durationMs = int(values.duration, 10) * 1000;
  const scenarios = {
    sessions: () => sessionsScenario({ target, manifest, clients: int(values.clients, 16), durationMs, pipelined: values.pipelined, memory }),
    pipelined: () => sessionsScenario({ target, manifest, clients: int(values.clients, 16), durationMs, pipelined: true, memory }),
    large: () => largeRetrScenario({ target, manifest, memory }),
    slow: () => largeRetrScenario({ target, manifest, memory, slow: { bytesPerSecond: 1e6, seconds: 5 } }),
    idle: () => idleScenario({ target, manifest, count: int(values.count, 1000), memory }),
    stat: () => statLogin({ target, manifest }),
  };
  const run = scenarios[values.scenario];
  if (!run) throw new Error(`unknown scenario ${values.scenario}: ${Object.keys(scenarios).join(', ')}`);
  console.log(JSON.stringify(await run(), null, 2));
}
