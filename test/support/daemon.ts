import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');

export interface SiteOptions {
  /** name -> plaintext password (stored as {PLAIN} in the temp users file). */
  readonly users?: Record<string, string>;
  /** name -> message texts, delivered into new/ in this order (oldest first). */
  readonly mail?: Record<string, string[]>;
  /** Users get no Maildir until mail is delivered (to test creating them); by default every user has one. */
  readonly withoutMaildirs?: boolean;
  /** Extra config merged over the generated one (section by section). */
  readonly config?: Record<string, Record<string, unknown>>;
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

/** For `afterEach`: stops every daemon started with startDaemon and removes every site made with makeSite. */
export async function cleanUpDaemons(): Promise<void> {
  const daemons = [...startedDaemons];
  startedDaemons.clear();
  await Promise.all(daemons.map((daemon) => daemon.stop()));
  for (const site of madeSites) site.remove();
  madeSites.clear();
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
    log: { level: 'info' },
  };
  for (const [section, values] of Object.entries(options.config ?? {})) base[section] = { ...base[section], ...values };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(base, null, 2));
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

/**
 * Extra arguments for tests of what one process does, whatever POP3D_WORKERS says: e.g. kill -9 must hit the
 * process doing an UPDATE, which with workers is a worker, not the daemon's pid.
 */
export const ONE_PROCESS = ['--set', 'workers=1'];

/** Starts the built daemon on the site's config and waits until every enabled listener is up. */
export async function startDaemon(site: Site, expect: string[] = ['pop3'], extraArgs: string[] = []): Promise<RunningDaemon> {
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
