// A private PostgreSQL for one test file or one benchmark run: initdb on a temp dir, a loopback port, trust
// authentication for a superuser `pop3d`; stopped and removed after. PostgreSQL refuses to run as root, so as
// root it runs as the `postgres` system user that Debian's package creates. Plain JavaScript, so that the
// benchmark harness (test/bench) uses the same launcher as the tests; types in postgresql.d.mts.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.mjs';

/** Debian's binaries live in /usr/lib/postgresql/<version>/bin; the newest installed version is used. */
function binDir() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  return join(root, newest, 'bin');
}

export async function startPostgres() {
  const bin = binDir();
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString()) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'pop3d-pg-'));
  if (owner !== undefined) chownSync(dir, owner, -1);
  const runPg = (tool, args) => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    execFileSync(command, argv, { stdio: 'pipe', cwd: dir });
  };
  const data = join(dir, 'data');
  runPg('initdb', ['-D', data, '-A', 'trust', '-U', 'pop3d', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -h 127.0.0.1 -F`;
  const start = () => runPg('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => runPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  const url = `postgresql://pop3d@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async query(sql, values) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(sql, values);
      } finally {
        await client.end();
      }
    },
    start,
    stop,
    remove() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
