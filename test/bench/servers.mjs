// Starting and stopping the servers under test, each on a free loopback port.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../support/free-port.mjs';
import { Pop3Client } from './pop3-client.mjs';

export const CLI = resolve(import.meta.dirname, '../../dist/bundle/pop3d.js');
export const HOST = '127.0.0.1';

export { freePort };

/** Waits until the server answers with a greeting. */
export async function waitForGreeting(port, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited?.done) throw new Error(`server exited with ${exited.code}`);
    try {
      const client = await Pop3Client.open(HOST, port, { timeoutMs: 2_000 });
      client.destroy();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no POP3 greeting on port ${port}: ${error.message}`);
      await sleep(50);
    }
  }
}

/**
 * Runs `argv` under `sh -c 'ulimit -n <hard limit>; exec ...'`, so that thousands of sessions get file
 * descriptors; `exec` keeps the pid, so memory is read from the server itself.
 */
export function spawnWithFdLimit(argv, { logFile, env } = {}) {
  const log = logFile ? openSync(logFile, 'a') : 'ignore';
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$@"', 'sh', ...argv], {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  const exited = { done: false, code: undefined };
  const exit = new Promise((resolveExit) =>
    child.once('exit', (code, signal) => {
      exited.done = true;
      exited.code = code ?? signal;
      resolveExit(exited.code);
    }),
  );
  return { child, exited, exit };
}

/**
 * The built pop3d on the fixture. `logLevel` is the daemon's (its JSON log goes to <dir>/pop3d-<port>.log,
 * its config to <dir>/pop3d-<port>.json: unique per started daemon, so runs sharing a fixture keep theirs);
 * `cpuProfDir` runs it under --cpu-prof (the profile is written when it exits on SIGTERM). `cli`: another
 * build's dist/cli.js (e.g. a scratch copy with an experimental change). `config`: more config sections
 * (limits, workers), merged over the generated ones. Memory is summed over its process tree (workers).
 */
export async function startPop3d({ dir, cli = CLI, logLevel = 'info', cpuProfDir, nodeArgs = [], config: extra = {} }) {
  const port = await freePort();
  const configFile = join(dir, `pop3d-${port}.json`);
  const { mail = {}, ...rest } = extra;
  const config = {
    pop3: { host: HOST, port, idleTimeout: 600 },
    // No flag updates, as the bench's Dovecot runs (pop3_no_flag_updates): the fixture's files stay in new/.
    mail: { maildir: join(dir, 'mail', '%u', 'Maildir'), autocreate: false, flagUpdates: false, ...mail },
    users: { file: join(dir, 'users.passwd') },
    // As in production: the events reach Push3 and Prometheus (the primary's, with workers), on free ports.
    push3: { enabled: true, port: 0 },
    prometheus: { port: 0 },
    log: { level: logLevel },
    ...rest,
  };
  await writeFile(configFile, JSON.stringify(config, null, 2));
  const profiling = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  const started = spawnWithFdLimit(
    [process.execPath, ...nodeArgs, ...profiling, cli, 'serve', '--config', configFile],
    { logFile: join(dir, `pop3d-${port}.log`) },
  );
  return servedOn('pop3d', port, started, { tree: true });
}

/** The bare yardstick (bare-server.mjs) on the fixture: sessions scenarios only. */
export async function startBare({ dir }) {
  const port = await freePort();
  const script = resolve(import.meta.dirname, 'bare-server.mjs');
  const started = spawnWithFdLimit([process.execPath, script, '--fixture', dir, '--port', String(port)]);
  return servedOn('bare', port, started, { tree: false });
}

/**
 * A spawned server once it greets on `port`, as the scenarios see it; `stop()` sends SIGTERM and, after 30 s
 * without an exit, SIGKILL. `tree`: its memory is summed over its child processes too (workers).
 */
async function servedOn(name, port, { child, exited, exit }, { tree }) {
  await waitForGreeting(port, 20_000, exited);
  return {
    name,
    target: { host: HOST, port },
    memory: { pid: child.pid, tree },
    async stop() {
      if (!exited.done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
