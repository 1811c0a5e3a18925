// Benchmark fixtures: real Maildirs and a {PLAIN} users file, shared by pop3d and Dovecot.
//
//   <dir>/users.passwd          name:{PLAIN}password (Dovecot passwd-file, read by both servers)
//   <dir>/mail/<user>/Maildir   cur/ new/ tmp/
//   <dir>/manifest.json         what was generated: users, message counts, wire sizes
//
// Users: `u001..` (session scenarios, `messages` x ~`size` octets each, Dovecot-style `,S=,W=` names),
// `big` (one message of `bigMB` MB), `huge` (`huge` messages of ~`hugeSize` octets, plain names without
// sizes, so a server must read every file once), `hugew` (the same with `,S=,W=` names, so a server need
// not open them), `i00001..` (idle scenario, one small message each).
// Bodies use bare LF line ends and contain lines starting with "." so that both CRLF conversion and
// dot-stuffing are exercised. Content is deterministic.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PARAMS, defaultDir, fixtureOptions, fixtureParams } from './options.mjs';

export { DEFAULT_PARAMS };

export const FIXTURE_VERSION = 3;
export const PASSWORD = 'bench-secret';

const LF = 0x0a;

/** mulberry32: small, fast, deterministic. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua mail pop3 maildir stream'.split(' ');

/** Body lines of 20..76 characters, LF-terminated; about one in 25 starts with "." (dot-stuffing). */
function linePool(seed, count = 4096) {
  const random = prng(seed);
  const lines = [];
  for (let i = 0; i < count; i++) {
    const target = 20 + Math.floor(random() * 57);
    let line = random() < 0.04 ? '.' : '';
    while (line.length < target) line += (line.length && !line.endsWith('.') ? ' ' : '') + WORDS[Math.floor(random() * WORDS.length)];
    lines.push(Buffer.from(`${line.slice(0, 76)}\n`));
  }
  return lines;
}

const POOL = linePool(42);

function headerOf(user, index) {
  return Buffer.from(
    `Return-Path: <sender@example.org>\nFrom: Bench Sender <sender@example.org>\nTo: ${user}@example.org\n` +
      `Subject: bench message ${index}\nDate: Tue, 14 Nov 2023 22:13:20 +0000\n` +
      `Message-ID: <${user}.${index}@bench.example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n`,
  );
}

/** Wire size (RFC 1939 LIST) of LF-only text that ends with LF: one more octet per line. */
function wireSizeOf(buffer) {
  let lines = 0;
  for (let i = buffer.indexOf(LF); i !== -1; i = buffer.indexOf(LF, i + 1)) lines++;
  return buffer.length + lines;
}

/** A message of at least `size` octets (whole lines), with its wire size. */
function message(user, index, size) {
  const parts = [headerOf(user, index)];
  let length = parts[0].length;
  for (let line = (index * 131) % POOL.length; length < size; line = (line + 1) % POOL.length) {
    parts.push(POOL[line]);
    length += POOL[line].length;
  }
  const bytes = Buffer.concat(parts, length);
  return { bytes, size: bytes.length, wire: wireSizeOf(bytes) };
}

/** Maildir base name: `<secs>.M<usecs>P<pid>Q<n>.<host>`, plus Dovecot's `,S=<stored>,W=<wire>` when sized. */
function baseName(sequence, sized, msg) {
  const name = `${1_700_000_000 + sequence}.M${sequence % 1_000_000}P4242Q${sequence}.bench.example.org`;
  return sized ? `${name},S=${msg.size},W=${msg.wire}` : name;
}

export const maildirOf = (dir, user, tree = 'mail') => join(dir, tree, user, 'Maildir');

function makeMaildir(path) {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(path, sub), { recursive: true, mode: 0o700 });
}

/** Writes `count` messages of ~`size` octets into new/; returns their wire sizes, oldest first. */
function fillMaildir(path, user, count, size, sized) {
  makeMaildir(path);
  const wire = [];
  for (let i = 0; i < count; i++) {
    const msg = message(user, i, size);
    writeFileSync(join(path, 'new', baseName(i, sized, msg)), msg.bytes);
    wire.push(msg.wire);
  }
  return wire;
}

/** One message of `megabytes` MB, written in 1 MB blocks so that it never sits in memory whole. */
function bigMaildir(path, megabytes) {
  makeMaildir(path);
  const header = headerOf('big', 0);
  const block = [];
  let blockLength = 0;
  for (let line = 0; blockLength < 1 << 20; line = (line + 1) % POOL.length) {
    block.push(POOL[line]);
    blockLength += POOL[line].length;
  }
  const blockBytes = Buffer.concat(block);
  const blockLines = block.length;
  const blocks = Math.ceil((megabytes * 1e6) / blockBytes.length);
  const size = header.length + blocks * blockBytes.length;
  const wire = wireSizeOf(header) + blocks * (blockBytes.length + blockLines);
  const file = openSync(join(path, 'new', baseName(0, false, {})), 'w', 0o600);
  try {
    writeSync(file, header);
    for (let i = 0; i < blocks; i++) writeSync(file, blockBytes);
  } finally {
    closeSync(file);
  }
  return { size, wire };
}

const pad = (n, width) => String(n).padStart(width, '0');

/** Fixture manifest for these parameters; also what the load generator needs to verify replies. */
export function planUsers(params) {
  const width = String(params.users).length < 3 ? 3 : String(params.users).length;
  const idleWidth = Math.max(5, String(params.idle).length);
  return {
    sessionUsers: Array.from({ length: params.users }, (_, i) => `u${pad(i + 1, width)}`),
    idleUsers: Array.from({ length: params.idle }, (_, i) => `i${pad(i + 1, idleWidth)}`),
    big: 'big',
    huge: 'huge',
    hugeSized: 'hugew',
  };
}

export function readManifest(dir) {
  const file = join(dir, 'manifest.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

const sameParams = (a, b) => Object.keys(DEFAULT_PARAMS).every((key) => a?.[key] === b?.[key]);

/**
 * The fixture in `dir` for `params`, generated unless a complete one with the same parameters is there.
 * `log` receives progress lines. Returns the manifest.
 */
export function ensureFixture(dir, params = DEFAULT_PARAMS, { fresh = false, log = () => {} } = {}) {
  const existing = readManifest(dir);
  if (!fresh && existing?.version === FIXTURE_VERSION && sameParams(existing.params, params)) return existing;
  log(`generating fixture in ${dir} (${JSON.stringify(params)})`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const plan = planUsers(params);
  const started = Date.now();
  const users = {};
  for (const user of plan.sessionUsers) {
    const wire = fillMaildir(maildirOf(dir, user), user, params.messages, params.size, true);
    users[user] = { count: wire.length, wire };
  }
  log(`  ${plan.sessionUsers.length} session users x ${params.messages} messages`);
  const big = bigMaildir(maildirOf(dir, plan.big), params.bigMB);
  users[plan.big] = { count: 1, wire: [big.wire] };
  log(`  big: ${(big.size / 1e6).toFixed(1)} MB`);
  const hugeWire = fillMaildir(maildirOf(dir, plan.huge), plan.huge, params.huge, params.hugeSize, false);
  users[plan.huge] = { count: hugeWire.length, octets: hugeWire.reduce((a, b) => a + b, 0) };
  log(`  huge: ${params.huge} messages without sizes in their names`);
  const hugeSizedWire = fillMaildir(maildirOf(dir, plan.hugeSized), plan.huge, params.huge, params.hugeSize, true);
  users[plan.hugeSized] = { count: hugeSizedWire.length, octets: hugeSizedWire.reduce((a, b) => a + b, 0) };
  log(`  hugew: ${params.huge} messages with sizes in their names`);
  const idleMsg = message('idle', 0, 600);
  for (const user of plan.idleUsers) {
    const maildir = maildirOf(dir, user);
    makeMaildir(maildir);
    writeFileSync(join(maildir, 'new', baseName(0, true, idleMsg)), idleMsg.bytes);
  }
  log(`  ${plan.idleUsers.length} idle users`);
  const allUsers = [...plan.sessionUsers, plan.big, plan.huge, plan.hugeSized, ...plan.idleUsers];
  writeFileSync(join(dir, 'users.passwd'), allUsers.map((user) => `${user}:{PLAIN}${PASSWORD}\n`).join(''));
  const manifest = { version: FIXTURE_VERSION, params: { ...params }, password: PASSWORD, plan, users, idleWire: idleMsg.wire };
  // Written last: a fixture without a manifest is incomplete and gets regenerated.
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return manifest;
}

/** Expected wire sizes of a user's messages (undefined for `huge`, where only the total is kept). */
export function expectedOf(manifest, user) {
  if (user.startsWith('i') && manifest.plan.idleUsers.includes(user)) return { count: 1, wire: [manifest.idleWire] };
  return manifest.users[user];
}

// CLI: node test/bench/fixtures.mjs [--dir DIR] [--users N] [--messages N] [--size N] [--big-mb N] [--idle N] [--huge N] [--fresh]
if (import.meta.url === `file://${process.argv[1]}`) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { ...fixtureOptions, dir: { type: 'string' }, fresh: { type: 'boolean' } } });
  const manifest = ensureFixture(values.dir ?? defaultDir(), fixtureParams(values), { fresh: values.fresh, log: console.log });
  console.log(JSON.stringify(manifest.params));
}
