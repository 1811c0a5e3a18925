// pop3d vs Dovecot, same fixture, same machine, one run: `npm run bench` (builds first), or
//
//   node test/bench/run.mjs [--servers pop3d,dovecot] [--scenarios sessions,pipelined,large,slow,idle,stat,soak]
//        [--clients 1,16,64] [--duration 10] [--idle-sessions 10000] [--log-level info]
//        [--fixture DIR] [--fresh] [--users 64 --messages 10 --size 10000 --big-mb 100 --idle 10000 --huge 100000]
//        [--cli path/to/dist/cli.js] [--workers N|auto] [--profile DIR] [--json FILE] [--quiet-wait 120]
//        [--node-args=--max-semi-space-size=8]
//        [--user-sources passwd-file,postgresql,postgresql-nocache]
//        [--soak-minutes 25] [--soak-warmup 5]
//
// `soak` (pop3d only, on a small fixture of its own, 25 minutes) runs only when named; see soak.mjs.
// Only loopback traffic; every scenario ends by itself. Before each scenario it waits (at most --quiet-wait
// seconds) until other jobs leave the CPUs alone. See test/bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBudgets, serverBudgets } from './budget.mjs';
import { dovecotAvailable, dovecotVersion, resetDovecotUser, startDovecot } from './dovecot.mjs';
import { ensureFixture, maildirOf } from './fixtures.mjs';
import { idleScenario, largeRetrScenario, sessionsScenario, statLogin } from './load.mjs';
import { defaultDir, fixtureOptions, fixtureParams, int } from './options.mjs';
import { formatTop, topFunctions } from './profile-top.mjs';
import { waitForQuiet } from './rss.mjs';
import { startBare, startPop3d } from './servers.mjs';
import { formatSoak, soak } from './soak.mjs';
import { fmt } from './stats.mjs';
import { measureUserSources, userSourceRows } from './user-sources.mjs';

const ALL_SCENARIOS = ['sessions', 'pipelined', 'large', 'slow', 'idle', 'stat', 'stat-uidlist'];
/** What pop3d's persistent size cache leaves in a Maildir; removed before a "first login". */
const POP3D_CACHE_FILES = ['pop3d.sizes', 'dovecot-uidlist'];
/** Dovecot's default pop3_uidl_format: pop3d then keeps dovecot-uidlist (the `stat-uidlist` scenario). */
const UIDLIST_FORMAT = '%08Xu%08Xv';
const FDS_NEEDED = 12_000;

const { values } = parseArgs({
  options: {
    ...fixtureOptions,
    fixture: { type: 'string' },
    fresh: { type: 'boolean' },
    servers: { type: 'string' },
    scenarios: { type: 'string', default: ALL_SCENARIOS.join(',') },
    clients: { type: 'string', default: '1,16,64' },
    duration: { type: 'string', default: '10' },
    'idle-sessions': { type: 'string' },
    'idle-settle': { type: 'string', default: '90' },
    'log-level': { type: 'string', default: 'info' },
    cli: { type: 'string' },
    'node-args': { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'string' },
    'quiet-wait': { type: 'string', default: '120' },
    workers: { type: 'string' },
    'user-sources': { type: 'string' },
    'soak-minutes': { type: 'string', default: '25' },
    'soak-warmup': { type: 'string', default: '5' },
  },
});

/** Node's own flags for pop3d (e.g. `--max-semi-space-size=8`, as config/examples/pop3d.service sets), space-separated. */
const nodeArgsOf = (text) => (text === undefined ? [] : text.split(' ').filter((arg) => arg !== ''));

/** This process holds one socket per idle session: re-run under the hard fd limit when the soft one is low. */
function ensureFdLimit() {
  const soft = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  if (soft >= FDS_NEEDED || process.env.POP3D_BENCH_REEXEC) return;
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$@"', 'sh', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, POP3D_BENCH_REEXEC: '1' },
  });
  child.once('exit', (code) => process.exit(code ?? 1));
  return true;
}

const log = (...args) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...args);

function machine() {
  const free = execFileSync('free', ['-h'], { encoding: 'utf8' });
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus()[0]?.model,
    memoryGB: totalmem() / 2 ** 30,
    free,
    node: process.version,
    dovecot: dovecotAvailable() ? dovecotVersion() : undefined,
    fdLimit: execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim(),
  };
}

let quietWaitMs = 0;

/** Waits until other jobs leave the machine alone (at most --quiet-wait seconds), and says so. */
async function quiet(server) {
  if (quietWaitMs <= 0) return;
  const started = Date.now();
  const other = await waitForQuiet({ maxMs: quietWaitMs, exclude: server ? [server.memory] : [] });
  const waited = (Date.now() - started) / 1000;
  if (waited > 1.5 || other >= 0.15) log(`  waited ${waited.toFixed(0)} s for a quiet machine; other jobs now use ${other.toFixed(2)} cores`);
}

/** Runs one server's scenarios; `start` starts it fresh (the stat scenario restarts it). */
async function measure(name, start, { manifest, dir, scenarios, clients, durationMs, idleSessions, idleSettleMs }) {
  const results = {};
  const wanted = (scenario) => scenarios.includes(scenario);
  if (['sessions', 'pipelined', 'large', 'slow', 'idle'].some(wanted)) {
    const server = await start();
    const { target, memory } = server;
    try {
      for (const pipelined of [false, true]) {
        if (!wanted(pipelined ? 'pipelined' : 'sessions')) continue;
        for (const count of clients) {
          await quiet(server);
          log(`${name}: ${pipelined ? 'pipelined' : 'full'} sessions, ${count} clients`);
          results[`${pipelined ? 'pipelined' : 'sessions'}-${count}`] = await sessionsScenario({ target, manifest, clients: count, durationMs, pipelined, memory });
        }
      }
      if (wanted('large')) {
        await quiet(server);
        log(`${name}: large RETR`);
        results.large = await largeRetrScenario({ target, manifest, memory });
      }
      if (wanted('slow')) {
        await quiet(server);
        log(`${name}: large RETR, slow reader`);
        results.slow = await largeRetrScenario({ target, manifest, memory, slow: { bytesPerSecond: 1e6, seconds: 5 } });
      }
      if (wanted('idle')) {
        await quiet(server);
        log(`${name}: ${idleSessions} idle sessions`);
        results.idle = await idleScenario({ target, manifest, count: idleSessions, settleMs: idleSettleMs, memory });
      }
    } finally {
      await server.stop();
    }
  }
  // `huge`: names without sizes (every file must be read once); `hugew`: with ,S=,W= (none need be).
  // `statUidlist`: pop3d numbering by dovecot-uidlist (created at the first login), on `hugew`.
  const statRuns = [
    ...(wanted('stat') ? [['stat', manifest.plan.huge], ['statSized', manifest.plan.hugeSized]] : []),
    ...(wanted('stat-uidlist') && name === 'pop3d' ? [['statUidlist', manifest.plan.hugeSized, { mail: { uidlFormat: UIDLIST_FORMAT } }]] : []),
  ];
  for (const [key, user, serverConfig] of statRuns) {
    if (name === 'pop3d') for (const file of POP3D_CACHE_FILES) rmSync(join(maildirOf(dir, user), file), { force: true });
    else resetDovecotUser(dir, user);
    log(`${name}: STAT on ${manifest.users[user].count} messages (${user}${serverConfig ? ', uidlist' : ''})`);
    let server = await start(serverConfig);
    const stat = { count: manifest.users[user].count };
    try {
      await quiet(server);
      stat.first = await statLogin({ target: server.target, manifest, user });
      stat.second = await statLogin({ target: server.target, manifest, user });
    } finally {
      await server.stop();
    }
    server = await start(serverConfig);
    try {
      await quiet(server);
      stat.afterRestart = await statLogin({ target: server.target, manifest, user });
    } finally {
      await server.stop();
    }
    results[key] = stat;
  }
  return results;
}

/** Server CPU per session in ms (cores x seconds / sessions), or undefined when not measured. */
const cpuPerSessionMs = (r) => (r?.serverCpu === undefined ? undefined : (1000 * r.serverCpu * r.seconds) / r.sessions);

const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);

/** Rows of [metric, pop3d, dovecot, pop3d/dovecot, target, verdict]. */
function table(ours = {}, theirs = {}, clients) {
  const rows = [];
  const row = (metric, a, b, digits, target, met) => rows.push([metric, fmt(a, digits), fmt(b, digits), fmt(ratio(a, b), 2), target ?? '', met === undefined ? '' : met ? 'met' : 'MISSED']);
  for (const kind of ['sessions', 'pipelined']) {
    for (const count of clients) {
      const a = ours[`${kind}-${count}`];
      const b = theirs[`${kind}-${count}`];
      if (!a && !b) continue;
      const gate = count === 64;
      const r = ratio(a?.sessionsPerSecond, b?.sessionsPerSecond);
      row(`${kind} x${count}: sessions/s`, a?.sessionsPerSecond, b?.sessionsPerSecond, 1, gate ? '>= 2.0x dovecot' : '', gate && r !== undefined ? r >= 2 && a.errors === 0 : undefined);
      const cpuTarget = kind === 'sessions' ? 1.3 : 0.85;
      const cpuMs = cpuPerSessionMs(a);
      row(`${kind} x${count}: server CPU per session ms`, cpuMs, cpuPerSessionMs(b), 2, gate ? `<= ${cpuTarget} ms` : '', gate && cpuMs !== undefined ? cpuMs <= cpuTarget : undefined);
      row(`${kind} x${count}: MB/s`, a?.MBps, b?.MBps, 1);
      row(`${kind} x${count}: p50 ms`, a?.p50ms, b?.p50ms, 1);
      row(`${kind} x${count}: p99 ms`, a?.p99ms, b?.p99ms, 1);
      row(`${kind} x${count}: errors`, a?.errors, b?.errors, 0);
      row(`${kind} x${count}: server RSS peak MB`, a?.rssPeakMB, b?.rssPeakMB, 0);
      row(`${kind} x${count}: server CPU (cores)`, a?.serverCpu, b?.serverCpu, 2);
      row(`${kind} x${count}: load generator CPU (cores)`, a?.clientCpu, b?.clientCpu, 2);
      row(`${kind} x${count}: other jobs' CPU (cores)`, a?.otherCpu, b?.otherCpu, 2);
    }
  }
  if (ours.large || theirs.large) {
    const r = ratio(ours.large?.MBps, theirs.large?.MBps);
    row(`large RETR (${fmt(ours.large?.megabytes ?? theirs.large?.megabytes, 0)} MB): MB/s`, ours.large?.MBps, theirs.large?.MBps, 1, '>= 2.0x dovecot', r === undefined ? undefined : r >= 2);
    row('large RETR: RSS growth MB', ours.large?.rssGrowthMB, theirs.large?.rssGrowthMB, 1, '< 50 MB', ours.large && ours.large.rssGrowthMB < 50);
  }
  if (ours.slow || theirs.slow) {
    row('large RETR, slow reader: seconds', ours.slow?.seconds, theirs.slow?.seconds, 1);
    row('large RETR, slow reader: RSS growth MB', ours.slow?.rssGrowthMB, theirs.slow?.rssGrowthMB, 1, '< 50 MB', ours.slow && ours.slow.rssGrowthMB < 50 && ours.slow.errors === 0);
  }
  if (ours.idle || theirs.idle) {
    const a = ours.idle;
    const b = theirs.idle;
    row(`idle x${a?.sessions ?? b?.sessions}: sessions alive`, a?.alive, b?.alive, 0);
    row('idle: seconds to open all', a?.openSeconds, b?.openSeconds, 1);
    // Judged once settled when measured so (--idle-settle), else 5 s after the last login.
    const settled = a?.rssSettledMB !== undefined;
    const perSession = (r, rss) => (r?.rssBeforeMB === undefined || rss === undefined ? undefined : ((rss - r.rssBeforeMB) * 1024) / r.sessions);
    row('idle: server RSS MB, 5 s after the logins (sum)', a?.rssMB, b?.rssMB, 0, ...(settled ? [] : ['< 250 MB', a && a.rssMB < 250 && a.alive === a.sessions]));
    row('idle: RSS growth per session KB, at 5 s', perSession(a, a?.rssMB), perSession(b, b?.rssMB), 1, ...(settled ? [] : ['<= 12 KB', a && perSession(a, a.rssMB) <= 12]));
    row('idle: server PSS MB, at 5 s (sum)', a?.pssMB ?? a?.rssMB, b?.pssMB, 0);
    if (settled || b?.rssSettledMB !== undefined) {
      const at = a?.settleSeconds ?? b?.settleSeconds;
      row(`idle: server RSS MB, settled at ${at} s (sum)`, a?.rssSettledMB, b?.rssSettledMB, 0, '< 250 MB', a && a.rssSettledMB < 250 && a.alive === a.sessions);
      row(`idle: RSS growth per session KB, at ${at} s`, perSession(a, a?.rssSettledMB), perSession(b, b?.rssSettledMB), 1, '<= 12 KB', a && perSession(a, a.rssSettledMB) <= 12);
      row(`idle: server PSS MB, at ${at} s (sum)`, a?.pssSettledMB ?? a?.rssSettledMB, b?.pssSettledMB, 0);
    }
    row('idle: server processes', a?.processes, b?.processes, 0);
    if (a?.processRssMB?.settled?.length > 1) log(`pop3d RSS per process (MB, primary first): ${a.processRssMB.before.join(', ')} before, ${a.processRssMB.settled.join(', ')} ${settled ? 'settled' : 'at 5 s'}`);
  }
  // Dovecot keeps its uidlist in every mode: its S=,W= figure stands beside pop3d's uidlist mode.
  for (const [key, label, theirKey = key] of [['stat', 'no sizes in names'], ['statSized', 'S=,W= in names'], ['statUidlist', `S=,W= in names, UIDL ${UIDLIST_FORMAT}`, 'statSized']]) {
    const a = ours[key];
    const b = theirs[theirKey];
    if (!a && !b) continue;
    const count = fmt((a ?? b).count / 1000, 0);
    const firstTarget = key === 'stat' ? 1000 : 500;
    row(`STAT ${count}k (${label}), first login: PASS+STAT ms`, a?.first?.totalMs, b?.first?.totalMs, 0, `< ${firstTarget} ms`, a && a.first.totalMs < firstTarget);
    row(`STAT ${count}k (${label}), second login: PASS+STAT ms`, a?.second?.totalMs, b?.second?.totalMs, 1, '< 100 ms', a && a.second.totalMs < 100);
    row(`STAT ${count}k (${label}), after restart: PASS+STAT ms`, a?.afterRestart?.totalMs, b?.afterRestart?.totalMs, 1);
  }
  return rows;
}

/** Each server's CPU per session beside the bare yardstick's: how much of pop3d's is machinery. */
function formatCpuPerSession(results, clients) {
  const lines = ['server CPU per session (ms), and sessions/s, beside the bare server:'];
  for (const kind of ['sessions', 'pipelined']) {
    for (const count of clients) {
      const key = `${kind}-${count}`;
      const bare = results.bare?.[key];
      if (!bare) continue;
      const cells = ['pop3d', 'dovecot', 'bare'].map((name) => {
        const r = results[name]?.[key];
        if (!r) return undefined;
        const ms = cpuPerSessionMs(r);
        const versus = name === 'bare' ? '' : ` = ${fmt(ms / cpuPerSessionMs(bare), 2)}x bare`;
        return `${name} ${fmt(ms, 2)} ms${versus}, ${fmt(r.sessionsPerSecond, 0)}/s`;
      });
      lines.push(`  ${key}: ${cells.filter(Boolean).join('; ')}`);
    }
  }
  return lines.join('\n');
}

function formatTable(rows) {
  const header = ['metric', 'pop3d', 'dovecot', 'pop3d/dovecot', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The soak, before anything else: it needs neither the big fixture nor a quiet machine. */
async function runSoak(scenarios) {
  if (!scenarios.includes('soak')) return;
  const dir = `${values.fixture ?? defaultDir()}-soak`;
  const result = await soak({ dir, minutes: int(values['soak-minutes']), warmup: int(values['soak-warmup']), log });
  console.log(`\n${formatSoak(result)}\n`);
  const jsonFile = join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonFile, JSON.stringify(result, null, 2));
  console.log(`soak results: ${jsonFile}`);
}

async function main() {
  if (ensureFdLimit()) return;
  await runSoak(values.scenarios.split(','));
  if (values.scenarios === 'soak') return;
  quietWaitMs = int(values['quiet-wait']) * 1000;
  const dir = values.fixture ?? defaultDir();
  const manifest = ensureFixture(dir, fixtureParams(values), { fresh: values.fresh, log });
  const scenarios = values.scenarios.split(',').filter((scenario) => scenario !== 'none');
  const clients = values.clients.split(',').map((n) => int(n));
  const durationMs = int(values.duration) * 1000;
  const idleSessions = int(values['idle-sessions'], manifest.params.idle);
  const servers = (values.servers ?? (dovecotAvailable() ? 'pop3d,dovecot' : 'pop3d')).split(',');
  const idleSettleMs = Number(values['idle-settle']) * 1000;
  const options = { manifest, dir, scenarios, clients, durationMs, idleSessions, idleSettleMs };
  const results = {
    machine: machine(),
    params: manifest.params,
    options: { scenarios, clients, durationMs, idleSessions, logLevel: values['log-level'], workers: values.workers ?? 1, cli: values.cli ?? 'dist/bundle/pop3d.js' },
  };
  log(`machine: ${results.machine.nproc} cpus, node ${results.machine.node}, ${results.machine.dovecot ?? 'no dovecot'}`);

  if (servers.includes('pop3d')) {
    if (values.profile) mkdirSync(values.profile, { recursive: true });
    // No connection limit (10,000 idle sessions from 127.0.0.1); --workers N: that many worker processes.
    const config = { limits: { maxConnections: 0, maxConnectionsPerAddress: 0 } };
    if (values.workers) config.workers = values.workers === 'auto' ? 'auto' : int(values.workers);
    const start = (extra = {}) => startPop3d({ dir, cli: values.cli, nodeArgs: nodeArgsOf(values['node-args']), logLevel: values['log-level'], cpuProfDir: values.profile, config: { ...config, ...extra } });
    results.pop3d = await measure('pop3d', start, options);
    if (values['user-sources']) {
      const sources = values['user-sources'].split(',');
      const startWith = (extra) => startPop3d({ dir, cli: values.cli, nodeArgs: nodeArgsOf(values['node-args']), logLevel: values['log-level'], config: { ...config, ...extra } });
      results.userSources = await measureUserSources({ sources, start: startWith, manifest, clients, durationMs, log, quiet });
      results.userSourceRows = userSourceRows(results.userSources, sources, clients);
    }
    if (values.profile) {
      for (const file of readdirSync(values.profile).filter((f) => f.endsWith('.cpuprofile'))) {
        console.log(`\nCPU profile ${join(values.profile, file)}\n${formatTop(topFunctions(join(values.profile, file), 25))}`);
      }
    }
  }
  if (servers.includes('dovecot')) {
    if (!dovecotAvailable()) throw new Error('dovecot not found: apt-get install -y dovecot-pop3d');
    results.dovecot = await measure('dovecot', () => startDovecot({ dir, sessions: idleSessions + 1000 }), options);
  }

  if (servers.includes('bare')) {
    const sessionScenarios = scenarios.filter((scenario) => scenario === 'sessions' || scenario === 'pipelined');
    results.bare = await measure('bare', () => startBare({ dir }), { ...options, scenarios: sessionScenarios });
  }

  const rows = table(results.pop3d, results.dovecot, clients);
  results.table = rows;
  if (rows.length > 0) console.log(`\n${formatTable(rows)}\n`);
  if (results.bare) console.log(`${formatCpuPerSession(results, clients)}\n`);
  results.budgets = serverBudgets(results);
  const budgets = formatBudgets(results.budgets, results, cpuPerSessionMs, fmt);
  if (budgets) console.log(`${budgets}\n`);
  if (results.userSourceRows) console.log(`${results.userSourceRows.map(([metric, value]) => `${metric}: ${value}`).join('\n')}\n`);
  const errors = [...Object.values(results.pop3d ?? {}), ...Object.values(results.dovecot ?? {})].flatMap((r) => r?.errorSamples ?? []);
  if (errors.length > 0) console.log(`errors: ${errors.join('; ')}`);
  const jsonFile = values.json ?? join(dir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonFile, JSON.stringify(results, null, 2));
  console.log(`results: ${jsonFile}`);
}

await main();
