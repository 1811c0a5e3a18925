import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = resolve(import.meta.dirname, '../../dist/bundle/pop3d.js');

/** A config file's contents, by section. */
type Config = Record<string, Record<string, unknown>>;

export interface SiteOptions {
  /** name -> plaintext password (stored as {PLAIN} in the temp users file). */
  readonly users?: Record<string, string>;
  /** name -> message texts, delivered into new/ in this order (oldest first). */
  readonly mail?: Record<string, string[]>;
  /** Users get no Maildir until mail is delivered (to test creating them); by default every user has one. */
  readonly withoutMaildirs?: boolean;
  /** Extra config merged over the generated one (section by section). */
  readonly config?: Config;
}

/** A temporary install: config file, users file and Maildirs in a fresh folder. */
export interface Site {
  readonly dir: string;
  readonly configFile: string;
  maildir(user: string): string;
  remove(): void;
}

/** Daemons and sites made by this test file's tests, for cleanUpDaemons (vitest gives each file its own modules). */
const startedDaemons = new Set<RunningDaemon>();
const madeSites = new Set<Site>();

/** For `afterEach`: stops every daemon started with startSite (SIGTERM and its drain) and removes every site made with makeSite. */
export function cleanUpDaemons(): Promise<void> {
  return endDaemons((daemon) => daemon.stop());
}

/** For `afterEach` in tests that leave daemons mid-transfer: cleanUpDaemons with SIGKILL instead of a drain. */
export function killDaemons(): Promise<void> {
  return endDaemons((daemon) => {
    if (daemon.process.exitCode === null) daemon.process.kill('SIGKILL');
    return daemon.exited;
  });
}

async function endDaemons(end: (daemon: RunningDaemon) => Promise<unknown>): Promise<void> {
  const daemons = [...startedDaemons];
  startedDaemons.clear();
  await Promise.all(daemons.map(end));
  for (const site of madeSites) site.remove();
  madeSites.clear();
}

/** `overrides` laid over `config` section by section: a section named in both keeps the keys only `config` sets. */
export function mergeConfig(config: Config, overrides: Config): Config {
  const merged = { ...config };
  for (const [section, values] of Object.entries(overrides)) merged[section] = { ...merged[section], ...values };
  return merged;
}

export function makeSite(options: SiteOptions = {}): Site {
  const dir = mkdtempSync(join(tmpdir(), 'pop3d-e2e-'));
  const users = options.users ?? { alice: 'secret' };
  writeFileSync(
    join(dir, 'users.passwd'),
    Object.entries(users)
      .map(([name, password]) => `${name}:{PLAIN}${password}\n`)
      .join(''),
  );
  const maildir = (user: string): string => join(dir, 'mail', user, 'Maildir');
  let seconds = 1_700_000_000;
  // Every user has a Maildir, as a real site has: a missing one is an error at login (-ERR [SYS/TEMP]).
  const plain = (user: string): boolean => /^[\w@+-][\w.@+-]*$/u.test(user);
  const bare = options.withoutMaildirs === true ? [] : Object.keys(users).filter(plain);
  for (const user of new Set([...bare, ...Object.keys(options.mail ?? {})])) {
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir(user), sub), { recursive: true });
  }
  for (const [user, texts] of Object.entries(options.mail ?? {})) {
    texts.forEach((text, index) => {
      writeFileSync(join(maildir(user), 'new', `${seconds++}.M${index}P1.test`), text);
    });
  }
  const base: Record<string, Record<string, unknown>> = {
    pop3: { host: '127.0.0.1', port: 0 },
    mail: { maildir: 'mail/%u/Maildir' },
    users: { file: 'users.passwd' },
    push3: { enabled: false },
    // A test that turns Push3 on gets Prometheus beside it: on a free port, never the default 9110, which
    // another test file (or another daemon on the machine) may hold.
    prometheus: { host: '127.0.0.1', port: 0 },
    // Each line at once: tests read the log as the daemon writes it. Gathered lines (the default) are
    // tested in cli-serve.test.ts.
    log: { level: 'info', flushMs: 0 },
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(mergeConfig(base, options.config ?? {}), null, 2));
  const site = { dir, configFile, maildir, remove: () => rmSync(dir, { recursive: true, force: true }) };
  madeSites.add(site);
  return site;
}

export interface RunningDaemon {
  readonly process: ChildProcess;
  /** protocol -> bound port, from the daemon's `listening` log lines. */
  readonly ports: Record<string, number>;
  /** The bound port of a listener, failing loudly if it did not start. */
  port(protocol: string): number;
  /** Every JSON log line so far. */
  readonly logs: Record<string, unknown>[];
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface StartOptions extends SiteOptions {
  /** A site made beforehand (with a certificate, or one a daemon already ran on); by default one is made from these options. */
  readonly site?: Site;
  /** Runs on the site before the daemon starts: files, databases, Maildirs the config names. */
  readonly prepare?: (site: Site) => void | Promise<void>;
  /** The listeners to wait for (protocol names of the `listening` log lines); POP3 alone by default. */
  readonly listeners?: readonly string[];
  /**
   * `--set workers=N`; by default the daemon runs as the environment says (POP3D_WORKERS). Tests of what one
   * process does pin 1: kill -9 must hit the process doing an UPDATE, which with workers is a worker.
   */
  readonly workers?: number;
  /** Further arguments to `pop3d serve`. */
  readonly args?: readonly string[];
}

/** A daemon running on its site: the process, its ports and log lines, and the site's files. */
export interface RunningSite extends RunningDaemon {
  readonly site: Site;
  maildir(user: string): string;
}

/**
 * Makes a site (or takes `options.site`), prepares it, and starts the built daemon on it, waiting until
 * every listener in `options.listeners` is up. `cleanUpDaemons` stops it and removes the site.
 */
export async function startSite(options: StartOptions = {}): Promise<RunningSite> {
  const site = options.site ?? makeSite(options);
  await options.prepare?.(site);
  const workers = options.workers === undefined ? [] : ['--set', `workers=${options.workers}`];
  const daemon = await startDaemon(site, options.listeners ?? ['pop3'], [...workers, ...(options.args ?? [])]);
  return { ...daemon, site, maildir: site.maildir };
}

/** Starts the built daemon on the site's config and waits until every enabled listener is up. */
async function startDaemon(site: Site, expect: readonly string[], extraArgs: readonly string[]): Promise<RunningDaemon> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', site.configFile, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const ports: Record<string, number> = {};
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`daemon did not start: ${stderr}`)), 15_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.event === 'listening') ports[String(entry.protocol)] = Number(entry.port);
        if (expect.every((protocol) => protocol in ports)) {
          clearTimeout(timer);
          ready();
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`daemon exited with ${code}: ${stderr}`));
    });
  });
  const daemon: RunningDaemon = {
    process: child,
    ports,
    port: (protocol) => {
      const port = ports[protocol];
      if (port === undefined) throw new Error(`no ${protocol} listener`);
      return port;
    },
    logs,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  startedDaemons.add(daemon);
  return daemon;
}
